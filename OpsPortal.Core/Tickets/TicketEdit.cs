namespace OpsPortal.Core.Tickets;

/// <summary>A new value for a field, which may be null (clear it); a null <c>Set&lt;T&gt;</c> means "leave as is".</summary>
public sealed record Set<T>(T Value);

/// <summary>The fields one edit changes; null fields stay as they are.</summary>
public sealed record TicketEdit
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public TicketType? Type { get; init; }
    public TicketPriority? Priority { get; init; }
    public TicketStatus? Status { get; init; }
    public Set<string?>? Assignee { get; init; }
    public IReadOnlyList<string>? Labels { get; init; }
    public Set<string?>? Service { get; init; }
    public Set<DateOnly?>? DueDate { get; init; }
}

/// <summary>A change applied to many tickets at once from the list. Labels are added and removed, not replaced.</summary>
public sealed record BulkEdit
{
    public Set<string?>? Assignee { get; init; }
    public TicketStatus? Status { get; init; }

    /// <summary>The service every selected ticket gets (null value: cleared); checked against the catalog once.</summary>
    public Set<string?>? Service { get; init; }
    public IReadOnlyList<string> AddLabels { get; init; } = [];
    public IReadOnlyList<string> RemoveLabels { get; init; } = [];
}

/// <summary>What a bulk change did: the tickets changed in any part, and per ticket the part refused (with the reason) — a ticket can be in both.</summary>
public sealed record BulkResult(IReadOnlyList<string> Changed, IReadOnlyDictionary<string, string> Skipped);

/// <summary>A ticket with everything its page shows.</summary>
public sealed record TicketDetails(Ticket Ticket, IReadOnlyList<TicketComment> Comments, IReadOnlyList<TicketLinkView> Links,
    IReadOnlyList<string> Watchers);

/// <summary>
/// A link as seen from one ticket. <see cref="Kind"/> is already inverted for links stored on the
/// other ticket (A blocks B shows on B as "blocked by A"); <see cref="Title"/> and <see cref="Status"/>
/// are filled for ticket targets.
/// </summary>
public sealed record TicketLinkView(long Id, string Kind, string TargetType, string TargetId, string? Title, TicketStatus? Status,
    bool Incoming);
