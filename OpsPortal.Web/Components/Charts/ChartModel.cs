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
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, SeriesStyle Style = SeriesStyle.Line, string? Color = null)
{
    /// <summary>Consecutive non-null points in time order form one run; a null breaks the line.</summary>
    public IEnumerable<List<ChartPoint>> Runs()
    {
        var run = new List<ChartPoint>();
        foreach (var p in Points.OrderBy(p => p.At))
        {
            if (p.Value is null)
            {
                if (run.Count > 0) { yield return run; }
                run = [];
                continue;
            }
            run.Add(p);
        }
        if (run.Count > 0) { yield return run; }
    }

    /// <summary>The median distance between two points: how wide one bar is.</summary>
    public TimeSpan TypicalStep()
    {
        var times = Points.Select(p => p.At).Order().ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).Where(g => g > TimeSpan.Zero).Order().ToList();
        return gaps.Count > 0 ? gaps[gaps.Count / 2] : TimeSpan.FromMinutes(1);
    }
}

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
