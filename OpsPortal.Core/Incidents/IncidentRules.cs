using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsPortal.Core.Incidents;

/// <summary>Limits and checks shared by the service, the API and the dialogs. What they refuse comes back as a <see cref="Refusal"/>.</summary>
public static partial class IncidentRules
{
    /// <summary>A request the incident cannot accept; the detail is for the person who sent it.</summary>
    public static Refusal Invalid(string detail) => Refusal.Invalid(detail, "Invalid incident request");

    public static Refusal NotFound(long id) => Refusal.NotFound($"Incident {id} does not exist.");

    public const int MaxTitle = 200;
    public const int MaxSummary = 20_000;
    public const int MaxNote = 10_000;
    public const int MaxServices = 20;

    /// <summary>Clocks disagree a little; a time further ahead than this is a typo.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex ServiceName();

    internal static Result<IncidentSeverity> ParseSeverity(string? text) =>
        TryParseSeverity(text, out var s) ? s : Invalid($"Severity must be SEV1, SEV2, SEV3 or SEV4, not '{text}'.");

    public static bool TryParseSeverity(string? text, out IncidentSeverity severity)
    {
        severity = default;
        var t = text?.Trim().ToUpperInvariant();
        if (t is null || !t.StartsWith("SEV", StringComparison.Ordinal)
            || !int.TryParse(t.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 4)
        {
            return false;
        }
        severity = (IncidentSeverity)n;
        return true;
    }

    internal static Result<IncidentStatus> ParseStatus(string? text) =>
        Enum.TryParse<IncidentStatus>(text?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s)
            ? s
            : Invalid($"Status must be one of {string.Join(", ", Enum.GetNames<IncidentStatus>())}, not '{text}'.");

    internal static Result<string> Title(string? title)
    {
        var t = title?.Trim() ?? "";
        return t.Length is 0 or > MaxTitle || t.Any(char.IsControl)
            ? Invalid($"An incident needs a title of 1 to {MaxTitle} characters, on one line.")
            : t;
    }

    internal static Result<List<string>> Services(IEnumerable<string>? services)
    {
        var list = (services ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            return Invalid("Name at least one affected service.");
        }
        if (list.Count > MaxServices)
        {
            return Invalid($"At most {MaxServices} services per incident.");
        }
        var bad = list.FirstOrDefault(s => !ServiceName().IsMatch(s));
        return bad is null
            ? list
            : Invalid($"'{bad}' is not a service name (letters, digits, '.', '_' and '-', up to 128).");
    }

    /// <summary>A summary of at most <see cref="MaxSummary"/> characters; empty is none.</summary>
    internal static Result<string?> Summary(string? text)
    {
        var s = text?.Trim();
        if (s is { Length: > MaxSummary })
        {
            return Invalid($"The summary is longer than {MaxSummary} characters.");
        }
        return string.IsNullOrEmpty(s) ? (string?)null : s;
    }

    internal static List<string> People(IEnumerable<string>? people) =>
        (people ?? []).Select(p => p.Trim()).Where(p => p.Length is > 0 and <= 256).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>
    /// The five times must read in order (impact, then detection, then acknowledgement; impact, then
    /// mitigation, then resolution), and none may lie in the future.
    /// </summary>
    internal static Refusal? CheckTimes(Incident i, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(i);
        (string Name, DateTimeOffset? At)[] all =
        [
            ("startedAt", i.StartedAt), ("detectedAt", i.DetectedAt), ("acknowledgedAt", i.AcknowledgedAt),
            ("mitigatedAt", i.MitigatedAt), ("resolvedAt", i.ResolvedAt),
        ];
        foreach (var (name, at) in all)
        {
            if (at > now + FutureTolerance)
            {
                return Invalid($"{name} ({Iso(at.Value)}) is in the future.");
            }
        }
        return Before("startedAt", i.StartedAt, "detectedAt", i.DetectedAt)
            ?? Before("detectedAt", i.DetectedAt, "acknowledgedAt", i.AcknowledgedAt)
            ?? Before("startedAt", i.StartedAt, "mitigatedAt", i.MitigatedAt)
            ?? Before("mitigatedAt", i.MitigatedAt, "resolvedAt", i.ResolvedAt)
            ?? Before("startedAt", i.StartedAt, "resolvedAt", i.ResolvedAt);
    }

    private static Refusal? Before(string first, DateTimeOffset? a, string second, DateTimeOffset? b) =>
        a is { } x && b is { } y && y < x ? Invalid($"{second} ({Iso(y)}) cannot be before {first} ({Iso(x)}).") : null;

    /// <summary>"1 h 05 min", "42 s", "2 d 3 h"; null reads "—".</summary>
    public static string FormatDuration(double? seconds)
    {
        if (seconds is not { } s)
        {
            return "—";
        }
        var t = TimeSpan.FromSeconds(Math.Abs(s));
        var text = t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h"
            : t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:00} min"
            : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
            : $"{t.TotalSeconds:0} s";
        return s < 0 ? "−" + text : text;
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>PostgreSQL keeps microseconds; trimming to them keeps a time equal to itself after a round trip.</summary>
    internal static DateTimeOffset Trim(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);
}
