namespace OpsPortal.Core.Tickets;

/// <summary>
/// Open → In progress → Blocked → Resolved → Closed, with reopen. Work can be resolved from any
/// active state (a fix often lands before anyone clicks "start"); only a resolved ticket closes,
/// so nothing is closed without someone saying it was fixed; resolved and closed reopen to Open.
/// </summary>
public static class TicketWorkflow
{
    private static readonly Dictionary<TicketStatus, TicketStatus[]> Allowed = new()
    {
        [TicketStatus.Open] = [TicketStatus.InProgress, TicketStatus.Blocked, TicketStatus.Resolved],
        [TicketStatus.InProgress] = [TicketStatus.Open, TicketStatus.Blocked, TicketStatus.Resolved],
        [TicketStatus.Blocked] = [TicketStatus.InProgress, TicketStatus.Open, TicketStatus.Resolved],
        [TicketStatus.Resolved] = [TicketStatus.Closed, TicketStatus.Open],
        [TicketStatus.Closed] = [TicketStatus.Open],
    };

    public static IReadOnlyList<TicketStatus> NextFrom(TicketStatus from) => Allowed[from];

    public static bool CanMove(TicketStatus from, TicketStatus to) => Allowed[from].Contains(to);

    /// <summary>The verb on the button that makes the move, e.g. "Reopen" for Closed → Open.</summary>
    public static string ActionLabel(TicketStatus from, TicketStatus to) => to switch
    {
        TicketStatus.Open when from is TicketStatus.Resolved or TicketStatus.Closed => "Reopen",
        TicketStatus.Open => "Back to open",
        TicketStatus.InProgress when from == TicketStatus.Blocked => "Unblock",
        TicketStatus.InProgress => "Start",
        TicketStatus.Blocked => "Block",
        TicketStatus.Resolved => "Resolve",
        TicketStatus.Closed => "Close",
        _ => to.ToString(),
    };

    public static string Label(TicketStatus status) => status switch
    {
        TicketStatus.InProgress => "In progress",
        _ => status.ToString(),
    };

    /// <summary>API/URL name: <c>open</c>, <c>in_progress</c>, …</summary>
    public static string Name(TicketStatus status) => status switch
    {
        TicketStatus.InProgress => "in_progress",
        _ => status.ToString().ToLowerInvariant(),
    };
}
