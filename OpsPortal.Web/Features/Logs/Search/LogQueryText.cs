using System.Globalization;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>Builds query-language text from clicks: a value becomes <c>field:"value"</c>, appended with AND.</summary>
public static class LogQueryText
{
    public static string Term(string field, string? value, bool negate = false)
    {
        var text = value is null ? "\"\"" : NeedsQuotes(value) ? Quote(value) : value;
        return (negate ? "-" : "") + field + ":" + text;
    }

    public static string Append(string? query, string term) =>
        string.IsNullOrWhiteSpace(query) ? term : query.Trim() + " " + term;

    /// <summary>
    /// A service's log selector AND a typed query: <c>(host:a OR host:b) (status:5xx)</c>. Both are bracketed so
    /// an OR in either stays inside its own side.
    /// </summary>
    public static string WithService(string? selector, string? query) =>
        (string.IsNullOrWhiteSpace(selector), string.IsNullOrWhiteSpace(query)) switch
        {
            (true, true) => "",
            (true, false) => query!.Trim(),
            (false, true) => $"({selector!.Trim()})",
            _ => $"({selector!.Trim()}) ({query!.Trim()})",
        };

    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static bool NeedsQuotes(string value) =>
        value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '(' or ')' or '*' or ':' or '\\')
        || value.StartsWith('-') || value.StartsWith('>') || value.StartsWith('<') || value.Contains("..", StringComparison.Ordinal);

    /// <summary>Quick ranges of the time picker, as they appear in the URL.</summary>
    public static readonly IReadOnlyList<(string Key, TimeSpan Span)> QuickRanges =
    [
        ("15m", TimeSpan.FromMinutes(15)), ("1h", TimeSpan.FromHours(1)), ("6h", TimeSpan.FromHours(6)),
        ("24h", TimeSpan.FromHours(24)), ("7d", TimeSpan.FromDays(7)),
    ];

    public static TimeSpan? ParseRange(string? key) =>
        QuickRanges.FirstOrDefault(r => r.Key == key) is { Key: not null } hit ? hit.Span : null;

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
