namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// One series' aggregate over one flush interval of one node: a row of <c>metric_points</c>.
/// Counters and timers: <see cref="Count"/> = Σ 1/rate, <see cref="Sum"/> = Σ value/rate, min/max of the
/// values sent. Gauges: the values the gauge took (count, sum, min, max) and the last one with its time.
/// Sets: <see cref="Sum"/> = distinct members in the interval. Timers carry a <see cref="Sketch"/>'s buckets.
/// </summary>
internal sealed record MetricPoint(
    string Name, MetricKind Kind, DateTime At, double Count, double Sum, double Min, double Max,
    double? Last, DateTime? LastAt, int[]? SketchKeys, double[]? SketchCounts);

/// <summary>Everything one node aggregated in one flush interval; <see cref="Seq"/> numbers this node's intervals.</summary>
internal sealed record CompletedInterval(long Seq, DateTime Start, IReadOnlyList<MetricPoint> Points);
