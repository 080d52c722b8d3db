using System.Globalization;
using OpsPortal.Core.Dashboards;
using OpsPortal.Web.Components.Charts;

namespace OpsPortal.Web.Features.Dashboards;

/// <summary>How panel values and markers become chart input: units on the axis, series styles, marker kinds.</summary>
public static class PanelFormat
{
    public static Func<double, string> For(PanelSpec panel) => PanelMeasures.Unit(panel) switch
    {
        "ms" => v => v.ToString(v < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " ms",
        "%" => v => v.ToString(v < 1 ? "0.##" : "0.#", CultureInfo.InvariantCulture) + " %",
        "/s" => v => ChartScale.Compact(v) + "/s",
        _ => ChartScale.Compact,
    };

    public static SeriesStyle Style(PanelSpec panel, PanelLine line) => line.LastWeek ? SeriesStyle.Dashed : panel.Display switch
    {
        PanelDisplay.Area => SeriesStyle.Area,
        PanelDisplay.Bar => SeriesStyle.Bars,
        _ => SeriesStyle.Line,
    };

    /// <summary>The lines as chart series, cut to the range shown (the query read whole steps around it).</summary>
    public static IReadOnlyList<ChartSeries> Series(PanelSpec panel, PanelResult result, DateTimeOffset from, DateTimeOffset to) =>
        [.. result.Lines.Select(l => new ChartSeries(l.Name, [.. l.Points.Where(p => p.T >= from - Step(result) && p.T <= to).Select(p => new ChartPoint(p.T, p.V))], Style(panel, l),
            l.LastWeek ? "var(--mud-palette-text-disabled)" : null))];

    private static TimeSpan Step(PanelResult result) => TimeSpan.FromSeconds(Math.Max(1, result.StepSeconds));

    public static IReadOnlyList<ChartMarker> Markers(IReadOnlyList<PanelMarker> markers) =>
        [.. markers.Select(m => new ChartMarker(m.At, m.Label, m.Kind switch
        {
            PanelMarkerKind.Rollback => MarkerKind.Rollback,
            PanelMarkerKind.Incident => MarkerKind.Incident,
            PanelMarkerKind.Alert => MarkerKind.Alert,
            _ => MarkerKind.Deploy,
        }, m.Href))];

    /// <summary>A line's summary for the table display: its last, mean and highest value.</summary>
    public static (double? Last, double? Mean, double? Max) Summary(PanelLine line)
    {
        var values = line.Points.Where(p => p.V is not null).Select(p => p.V!.Value).ToList();
        return values.Count == 0 ? (null, null, null) : (values[^1], values.Average(), values.Max());
    }
}
