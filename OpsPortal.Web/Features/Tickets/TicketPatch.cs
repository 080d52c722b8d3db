using System.Globalization;
using System.Text.Json;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Web.Features.Tickets;

/// <summary>
/// Reads a PATCH body: a field that is absent stays as it is, <c>null</c> clears it (assignee,
/// service, dueDate). The version comes from <c>"version"</c> or an <c>If-Match</c> ETag.
/// </summary>
internal static class TicketPatch
{
    private static readonly string[] Known = ["version", "title", "description", "type", "priority", "status", "assignee", "labels", "service", "dueDate"];

    public static (TicketEdit Edit, int Version) Read(JsonElement body, string? ifMatch)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new TicketValidationException("body", "The body must be a JSON object of the fields to change.");
        }
        var unknown = body.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !Known.Contains(n));
        if (unknown is not null)
        {
            throw new TicketValidationException(unknown, $"Unknown field '{unknown}'. Fields: {string.Join(", ", Known)}.");
        }
        var version = body.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : int.TryParse(ifMatch?.Trim('"', ' ', 'W', '/'), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m
            : throw new TicketValidationException("version",
                "Send the ticket's 'version' (from GET) or an If-Match header, so a change made meanwhile is not overwritten.");
        var edit = new TicketEdit
        {
            Title = String(body, "title"),
            Description = String(body, "description"),
            Type = String(body, "type") is { } type ? TicketsEndpoints.Parse<TicketType>(type, "type", TicketRules.TryParseType, default) : null,
            Priority = String(body, "priority") is { } p ? TicketsEndpoints.Parse<TicketPriority>(p, "priority", TicketRules.TryParsePriority, default) : null,
            Status = String(body, "status") is { } s ? TicketsEndpoints.Parse<TicketStatus>(s, "status", TicketRules.TryParseStatus, default) : null,
            Assignee = Nullable<string?>(body, "assignee", e => e.GetString()),
            Service = Nullable<string?>(body, "service", e => e.GetString()),
            DueDate = Nullable<DateOnly?>(body, "dueDate", e => DateOnly.TryParseExact(e.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : throw new TicketValidationException("dueDate", "dueDate must be a date such as 2026-12-31, or null.")),
            Labels = body.TryGetProperty("labels", out var labels)
                ? labels.ValueKind == JsonValueKind.Array && labels.EnumerateArray().All(l => l.ValueKind == JsonValueKind.String)
                    ? labels.EnumerateArray().Select(l => l.GetString()!).ToList()
                    : throw new TicketValidationException("labels", "labels must be an array of strings.")
                : null,
        };
        return (edit, version);
    }

    private static string? String(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var e) ? null
            : e.ValueKind == JsonValueKind.String ? e.GetString()
            : throw new TicketValidationException(name, $"{name} must be a string.");

    private static Set<T>? Nullable<T>(JsonElement body, string name, Func<JsonElement, T> read) =>
        !body.TryGetProperty(name, out var e) ? null
            : e.ValueKind == JsonValueKind.Null ? new Set<T>(default!)
            : e.ValueKind == JsonValueKind.String ? new Set<T>(read(e))
            : throw new TicketValidationException(name, $"{name} must be a string or null.");
}
