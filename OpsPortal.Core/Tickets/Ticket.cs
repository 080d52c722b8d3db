namespace OpsPortal.Core.Tickets;

public enum TicketStatus { Open, InProgress, Blocked, Resolved, Closed }

public enum TicketPriority { P1 = 1, P2 = 2, P3 = 3, P4 = 4 }

public enum TicketType { Task, Bug, Change, Deploy, Incident, Alert }

/// <summary>
/// A work item. <see cref="Key"/> (e.g. <c>OPS-123</c>) is what people and other features use;
/// it is stored, so changing the configured prefix never breaks an existing key or link.
/// </summary>
public class Ticket
{
    public long Id { get; set; }

    /// <summary>From the <c>ticket_numbers</c> sequence; unique across prefixes.</summary>
    public long Number { get; set; }
    public required string Key { get; set; }
    public required string Title { get; set; }

    /// <summary>Markdown, rendered sanitised.</summary>
    public string Description { get; set; } = "";
    public TicketType Type { get; set; }
    public TicketStatus Status { get; set; }
    public TicketPriority Priority { get; set; } = TicketPriority.P3;

    /// <summary>Email of the assigned user; null when unassigned.</summary>
    public string? Assignee { get; set; }
    public required string Reporter { get; set; }
    public List<string> Labels { get; set; } = [];
    public string? Service { get; set; }
    public DateOnly? DueDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>
    /// Concurrency token: +1 on every change of the ticket's own fields (not comments, links or
    /// watchers). Events record the version they produced, so a conflict can show exactly which
    /// changes the editor missed.
    /// </summary>
    public int RowVersion { get; set; } = 1;

    public List<TicketComment> Comments { get; set; } = [];
    public List<TicketLink> Links { get; set; } = [];
    public List<TicketWatcher> Watchers { get; set; } = [];

    public bool IsOpen => Status is not (TicketStatus.Resolved or TicketStatus.Closed);
}

/// <summary>A markdown comment. Edits keep the previous bodies in <see cref="Revisions"/>.</summary>
public class TicketComment
{
    public long Id { get; set; }
    public long TicketId { get; set; }
    public required string Author { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    public List<TicketCommentRevision> Revisions { get; set; } = [];
}

/// <summary>A comment body as it was before an edit.</summary>
public class TicketCommentRevision
{
    public long Id { get; set; }
    public long CommentId { get; set; }
    public required string Body { get; set; }

    /// <summary>When this body was replaced, and by whom.</summary>
    public DateTimeOffset ReplacedAt { get; set; }
    public required string ReplacedBy { get; set; }
}

/// <summary>
/// A link from a ticket to another ticket (<see cref="TargetType"/> <c>ticket</c>, target id = key)
/// or to another feature's subject (<c>deploy</c>, <c>incident</c>, <c>alert</c>, <c>wiki</c>).
/// Ticket-to-ticket links are stored once; the other ticket shows the inverse kind.
/// </summary>
public class TicketLink
{
    public long Id { get; set; }
    public long TicketId { get; set; }

    /// <summary>One of <see cref="TicketLinkKinds"/>.</summary>
    public required string Kind { get; set; }
    public required string TargetType { get; set; }
    public required string TargetId { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public class TicketWatcher
{
    public long TicketId { get; set; }
    public required string UserEmail { get; set; }
}

/// <summary>
/// A saved list filter. <see cref="Owner"/> null: shared with the team; otherwise personal.
/// <see cref="Query"/> is the list's query string (<c>status=open&amp;assignee=@me</c>).
/// </summary>
internal class TicketFilter
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Owner { get; set; }
    public required string Query { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class TicketLinkKinds
{
    public const string RelatesTo = "relates_to";
    public const string Blocks = "blocks";
    public const string BlockedBy = "blocked_by";
    public const string Duplicates = "duplicates";
    public const string DuplicatedBy = "duplicated_by";
    public const string CausedBy = "caused_by";
    public const string Causes = "causes";

    /// <summary>The kinds a person or the API may create; the inverse ones are how the other side reads them.</summary>
    public static readonly IReadOnlyList<string> Creatable = [RelatesTo, Blocks, BlockedBy, Duplicates, CausedBy];

    internal static string Inverse(string kind) => kind switch
    {
        Blocks => BlockedBy,
        BlockedBy => Blocks,
        Duplicates => DuplicatedBy,
        DuplicatedBy => Duplicates,
        CausedBy => Causes,
        Causes => CausedBy,
        _ => kind,
    };

    public static string Describe(string kind) => kind.Replace('_', ' ');
}

/// <summary>Subject types a ticket links to.</summary>
public static class TicketLinkTargets
{
    public const string Ticket = "ticket";
    public const string Deploy = "deploy";
    public const string Incident = "incident";
    public const string Alert = "alert";
    public const string Wiki = "wiki";

    public static readonly IReadOnlyList<string> All = [Ticket, Deploy, Incident, Alert, Wiki];
}
