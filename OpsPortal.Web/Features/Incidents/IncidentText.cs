using System.Globalization;
using MudBlazor;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Web.Features.Incidents;

/// <summary>How incident values read on the pages: UTC times, durations, severity colours.</summary>
public static class IncidentText
{
    public static string Utc(DateTimeOffset? t) =>
        t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    /// <summary>Parses a UTC time typed by a person ("2026-11-26 09:12", seconds optional); null when it does not read as one.</summary>
    public static DateTimeOffset? ParseUtc(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    public static string Duration(double? seconds) => IncidentRules.FormatDuration(seconds);

    public static string Duration(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } a && to is { } b ? Duration((b - a).TotalSeconds) : "—";

    public static Color SeverityColor(IncidentSeverity s) => s switch
    {
        IncidentSeverity.Sev1 => Color.Error,
        IncidentSeverity.Sev2 => Color.Warning,
        IncidentSeverity.Sev3 => Color.Info,
        _ => Color.Default,
    };

    public static Color StatusColor(IncidentStatus s) => s switch
    {
        IncidentStatus.Investigating => Color.Error,
        IncidentStatus.Identified => Color.Warning,
        IncidentStatus.Mitigated => Color.Info,
        _ => Color.Success,
    };

    public static List<string> SplitServices(string? text) =>
        (text ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
