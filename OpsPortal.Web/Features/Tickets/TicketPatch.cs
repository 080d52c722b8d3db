using System.Globalization;
using System.Text.Json;
using OpsPortal.Core;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Web.Features.Tickets;

/// <summary>
/// Reads a PATCH body: a field that is absent stays as it is, <c>null</c> clears it (assignee,
/// service, dueDate). The version comes from <c>"version"</c> or an <c>If-Match</c> ETag. Every bad
/// field is reported, by name, in one refusal.
/// </summary>
internal static class TicketPatch
{
    private static readonly string[] Known = ["version", "title", "description", "type", "priority", "status", "assignee", "labels", "service", "dueDate"];

    public static Result<TicketSave> Read(JsonElement body, string? ifMatch)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return TicketRefusals.Invalid("body", "The body must be a JSON object of the fields to change.");
        }
        var errors = new Dictionary<string, string>();
        foreach (var unknown in body.EnumerateObject().Select(p => p.Name).Where(n => !Known.Contains(n)))
        {
            errors.TryAdd(unknown, $"Unknown field '{unknown}'. Fields: {string.Join(", ", Known)}.");
        }
        var version = body.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : int.TryParse(ifMatch?.Trim('"', ' ', 'W', '/'), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m
            : -1;
        if (version < 0)
        {
            errors["version"] = "Send the ticket's 'version' (from GET) or an If-Match header, so a change made meanwhile is not overwritten.";
        }
        var edit = new TicketEdit
        {
            Title = String(body, "title", errors),
            Description = String(body, "description", errors),
            Type = String(body, "type", errors) is { } type ? TicketsEndpoints.Parse<TicketType>(type, "type", TicketRules.TryParseType, default, errors) : null,
            Priority = String(body, "priority", errors) is { } p ? TicketsEndpoints.Parse<TicketPriority>(p, "priority", TicketRules.TryParsePriority, default, errors) : null,
            Status = String(body, "status", errors) is { } s ? TicketsEndpoints.Parse<TicketStatus>(s, "status", TicketRules.TryParseStatus, default, errors) : null,
            Assignee = Nullable(body, "assignee", errors, e => e.GetString()),
            Service = Nullable(body, "service", errors, e => e.GetString()),
            DueDate = Nullable<DateOnly?>(body, "dueDate", errors, e => DateOnly.TryParseExact(e.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : Error<DateOnly?>(errors, "dueDate", "dueDate must be a date such as 2026-12-31, or null.")),
            Labels = Labels(body, errors),
        };
        return errors.Count > 0 ? TicketRefusals.Invalid(errors) : new TicketSave(edit, version);
    }

    private static List<string>? Labels(JsonElement body, Dictionary<string, string> errors)
    {
        if (!body.TryGetProperty("labels", out var labels))
        {
            return null;
        }
        if (labels.ValueKind == JsonValueKind.Array && labels.EnumerateArray().All(l => l.ValueKind == JsonValueKind.String))
        {
            return labels.EnumerateArray().Select(l => l.GetString()!).ToList();
        }
        errors["labels"] = "labels must be an array of strings.";
        return null;
    }

    private static string? String(JsonElement body, string name, Dictionary<string, string> errors)
    {
        if (!body.TryGetProperty(name, out var e))
        {
            return null;
        }
        if (e.ValueKind == JsonValueKind.String)
        {
            return e.GetString();
        }
        errors[name] = $"{name} must be a string.";
        return null;
    }

    private static Set<T>? Nullable<T>(JsonElement body, string name, Dictionary<string, string> errors, Func<JsonElement, T> read)
    {
        if (!body.TryGetProperty(name, out var e))
        {
            return null;
        }
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return new Set<T>(default!);
            case JsonValueKind.String:
                return new Set<T>(read(e));
            default:
                errors[name] = $"{name} must be a string or null.";
                return null;
        }
    }

    private static T? Error<T>(Dictionary<string, string> errors, string field, string message)
    {
        errors[field] = message;
        return default;
    }
}
