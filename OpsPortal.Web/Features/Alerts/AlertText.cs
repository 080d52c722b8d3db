using System.Globalization;
using MudBlazor;
using OpsPortal.Core.Alerts;

namespace OpsPortal.Web.Features.Alerts;

/// <summary>How alerts read on every page: state colours, durations, values.</summary>
public static class AlertText
{
    public static Color StateColor(AlertState s) => s switch
    {
        AlertState.Critical => Color.Error,
        AlertState.Warning => Color.Warning,
        AlertState.Unknown => Color.Secondary,
        _ => Color.Success,
    };

    public static string Duration(DateTimeOffset since, DateTimeOffset now)
    {
        var d = now - since;
        return d.TotalDays >= 1 ? $"{(int)d.TotalDays} d {d.Hours} h"
            : d.TotalHours >= 1 ? $"{(int)d.TotalHours} h {d.Minutes} min"
            : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes} min"
            : $"{Math.Max(0, (int)d.TotalSeconds)} s";
    }

    public static string Value(double? v) => v is { } x ? AlertEvaluator.Number(x) : "–";

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Where(AlertView a) => a.Instance.GroupKey.Length > 0 ? $"{a.Rule.Spec.GroupBy} {a.Instance.GroupKey}" : "";
}
