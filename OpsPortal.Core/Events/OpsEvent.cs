using System.Text.Json;

namespace OpsPortal.Core.Events;

/// <summary>
/// One row of the <c>events</c> table: the spine of the product. Every state change in every
/// feature writes one, in the same transaction as the change. Timelines, the audit log and the
/// home feed are queries over this table.
/// </summary>
public class OpsEvent
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who did it: a user's email, or <c>system</c> for jobs.</summary>
    public required string Actor { get; set; }

    /// <summary>Dotted kind, e.g. <c>user.created</c>, <c>deploy.started</c>.</summary>
    public required string Kind { get; set; }
    public required string SubjectType { get; set; }
    public required string SubjectId { get; set; }
    public string? Service { get; set; }

    /// <summary>A one-line human summary, so feeds need no per-kind rendering.</summary>
    public required string Summary { get; set; }
    public JsonDocument? Payload { get; set; }
}
