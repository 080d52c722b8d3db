using System.Globalization;
using System.Text.Json;

namespace OpsPortal.Core.Tickets;

/// <summary>What a new ticket starts with; checked by <see cref="TicketOperations"/>.</summary>
public sealed record NewTicket(string Title, string? Description = null, TicketType Type = TicketType.Task,
    TicketPriority Priority = TicketPriority.P3, string? Service = null, string? Assignee = null,
    IReadOnlyList<string>? Labels = null, DateOnly? DueDate = null);

/// <summary>One field's change as events record it (values as text, null for none).</summary>
public sealed record FieldChange(string Field, string? From, string? To)
{
    internal string Describe() => $"{Field} {From ?? "none"} → {To ?? "none"}";
}

/// <summary>One recorded change of a ticket: who, when, the version it produced and the fields it touched.</summary>
public sealed record TicketChangeRecord(string Actor, DateTimeOffset At, int Version, IReadOnlyList<FieldChange> Changes)
{
    internal string Describe() => $"{Actor} changed " + string.Join(", ", Changes.Select(c => c.Describe()));

    /// <summary>Reads the payload <see cref="TicketOperations"/> writes; null for events without field changes.</summary>
    internal static TicketChangeRecord? FromEvent(Events.OpsEvent ev)
    {
        if (ev.Payload is null || !ev.Payload.RootElement.TryGetProperty("version", out var v)
            || !ev.Payload.RootElement.TryGetProperty("changes", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var changes = list.EnumerateArray().Select(c => new FieldChange(
            c.GetProperty("field").GetString() ?? "",
            c.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null,
            c.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null)).ToList();
        return new TicketChangeRecord(ev.Actor, ev.OccurredAt, v.GetInt32(), changes);
    }
}

/// <summary>Field values as text for change records, one format everywhere.</summary>
internal static class TicketValues
{
    public static string? Of(TicketStatus s) => TicketWorkflow.Label(s);
    public static string? Of(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    public static string? Of(IEnumerable<string> labels) => string.Join(", ", labels) is { Length: > 0 } s ? s : null;
}
