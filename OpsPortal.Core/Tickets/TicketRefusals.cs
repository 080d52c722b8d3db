namespace OpsPortal.Core.Tickets;

/// <summary>
/// The ways the ticket rules say no, as <see cref="Refusal"/>s with the titles the API has always
/// used. A stale edit carries <c>currentVersion</c> and <c>changes</c> (what the editor missed) as
/// problem-details members; <see cref="TryGetConflict"/> reads them back for the page.
/// </summary>
public static class TicketRefusals
{
    public const string InvalidTitle = "Invalid ticket input";

    public static Refusal Invalid(string field, string message) => Refusal.InvalidField(field, message, InvalidTitle);

    public static Refusal Invalid(IReadOnlyDictionary<string, string> errors) => Refusal.InvalidFields(errors, InvalidTitle);

    public static Refusal NotFound(string key) => Refusal.NotFound($"There is no ticket {key}.", "Ticket not found");

    internal static Refusal Workflow(TicketStatus from, TicketStatus to) => Refusal.Unprocessable(
        $"A ticket cannot move from {TicketWorkflow.Label(from)} to {TicketWorkflow.Label(to)}. From {TicketWorkflow.Label(from)} it can go to: "
        + string.Join(", ", TicketWorkflow.NextFrom(from).Select(TicketWorkflow.Label)) + ".", "Status change not allowed");

    /// <summary>Someone else changed the ticket since the editor loaded version <paramref name="expectedVersion"/>.</summary>
    internal static Refusal Conflict(Ticket current, int expectedVersion, IReadOnlyList<TicketChangeRecord> missed) =>
        Refusal.Conflict($"{current.Key} was changed by someone else since you opened it (version {expectedVersion} → {current.RowVersion}): "
                + (missed.Count == 0 ? "reload to see the changes." : string.Join("; ", missed.Select(m => m.Describe()))) + ".",
                "The ticket was changed by someone else")
            .With("currentVersion", current.RowVersion)
            .With("changes", missed);

    /// <summary>The version the ticket is at now and the changes the editor missed, when <paramref name="refusal"/> is a stale edit.</summary>
    public static bool TryGetConflict(this Refusal refusal, out int currentVersion, out IReadOnlyList<TicketChangeRecord> changes)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (refusal.Kind == RefusalKind.Conflict
            && refusal.Extensions.TryGetValue("currentVersion", out var v) && v is int version
            && refusal.Extensions.TryGetValue("changes", out var c) && c is IReadOnlyList<TicketChangeRecord> missed)
        {
            (currentVersion, changes) = (version, missed);
            return true;
        }
        (currentVersion, changes) = (0, []);
        return false;
    }
}
