namespace OpsPortal.Web.Components.Charts;

/// <summary>One value at one time; a null value is a gap (no data), never drawn as zero.</summary>
public readonly record struct ChartPoint(DateTimeOffset At, double? Value);

public enum SeriesStyle
{
    Line,
    Area,
    Bars,
    Dashed,
}

/// <param name="Color">A CSS colour; null takes the next colour of the palette.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, SeriesStyle Style = SeriesStyle.Line, string? Color = null);

public enum MarkerKind
{
    Deploy,
    Rollback,
    Incident,
    Alert,
    Other,
}

/// <summary>A vertical line at a moment: a deploy, an incident's time, an alert firing.</summary>
public sealed record ChartMarker(DateTimeOffset At, string Label, MarkerKind Kind, string? Href = null);

/// <summary>A horizontal line, e.g. a WARNING or CRITICAL threshold.</summary>
public sealed record ChartThreshold(double Value, string Label, string Color);

/// <summary>A shaded range that moves with time, e.g. the expected band of an "out of the ordinary" rule.</summary>
public sealed record ChartBand(string Label, IReadOnlyList<(DateTimeOffset At, double Low, double High)> Points);
