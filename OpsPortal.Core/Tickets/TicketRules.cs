using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsPortal.Core.Tickets;

/// <summary>Limits and parsing shared by the UI, the API and the hook, so all three refuse the same input.</summary>
public static partial class TicketRules
{
    public const int MaxKeyLength = 32;
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 50_000;
    public const int MaxServiceLength = 128;
    public const int MaxLabels = 20;
    public const int MaxLabelLength = 40;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._:-]{0,39}\z")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]{1,9}\z")]
    internal static partial Regex PrefixPattern();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,18})\z")]
    private static partial Regex KeyPattern();

    /// <summary>Normalises a key as people type it (<c>ops-12</c> → <c>OPS-12</c>); null when it is not key-shaped.</summary>
    public static string? NormalizeKey(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        return KeyPattern().IsMatch(trimmed) ? trimmed.ToUpperInvariant() : null;
    }

    public static bool TryParseStatus(string? text, out TicketStatus status) =>
        TryParseName(text?.Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), out status);

    public static bool TryParsePriority(string? text, out TicketPriority priority) => TryParseName(text, out priority);

    public static bool TryParseType(string? text, out TicketType type) => TryParseName(text, out type);

    /// <summary>By name only: <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> also takes "7".</summary>
    private static bool TryParseName<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text.Trim()[0])
            && Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    internal static string? CheckTitle(string? title)
    {
        var t = title?.Trim() ?? "";
        if (t.Length == 0)
        {
            return "A ticket needs a title.";
        }
        if (t.Length > MaxTitleLength)
        {
            return $"The title is {t.Length} characters; the limit is {MaxTitleLength}.";
        }
        return t.Any(char.IsControl) ? "The title cannot contain line breaks or control characters." : null;
    }

    internal static string? CheckBody(string? body, string what) =>
        (body?.Length ?? 0) > MaxBodyLength ? $"The {what} is {body!.Length} characters; the limit is {MaxBodyLength}." : null;

    /// <summary>Why a service name is refused: it is not the catalog's, with the names to pick from (a few, then a count).</summary>
    internal static string UnknownService(string service, IReadOnlyList<string> names) => names.Count == 0
        ? $"“{service}” is not in the service catalog, which has no services yet: define the service on the Services page or in services.yaml, or leave the field empty."
        : $"“{service}” is not in the service catalog. Pick one of: {string.Join(", ", names.Take(10))}{(names.Count > 10 ? $" and {names.Count - 10} more (GET /api/services)" : "")}.";

    internal static string? CheckService(string? service) =>
        service is { Length: > MaxServiceLength } ? $"The service name is longer than {MaxServiceLength} characters." : null;

    /// <summary>Lower-cases, trims and de-duplicates labels; returns an error for the person, or null.</summary>
    internal static string? NormalizeLabels(IEnumerable<string>? labels, out List<string> normalized)
    {
        normalized = (labels ?? []).Select(l => l.Trim().ToLower(CultureInfo.InvariantCulture))
            .Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (normalized.Count > MaxLabels)
        {
            return $"A ticket takes at most {MaxLabels} labels.";
        }
        var bad = normalized.FirstOrDefault(l => !LabelPattern().IsMatch(l));
        return bad is null ? null
            : $"Label '{bad}' is not valid: use up to {MaxLabelLength} characters of a-z, 0-9, '.', '_', ':' or '-'.";
    }
}
