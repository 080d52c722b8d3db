namespace OpsPortal.Core.Metrics.Queries;

/// <summary>
/// One step of a series: its start (UTC) and value; null where the step had no data to show. A struct: a
/// year of hours is 9,469 of them per line, held in one array rather than as as many objects.
/// </summary>
public readonly record struct MetricPointValue(DateTimeOffset T, double? V);

/// <summary>One line of a chart: a metric name (or, grouped, the group's key) and its points, one per step.</summary>
public sealed record MetricSeriesLine(string Name, IReadOnlyList<MetricPointValue> Points);

/// <summary>
/// A series query's answer. <see cref="Step"/> and <see cref="Resolution"/> say what was actually read:
/// the step may be larger than asked when the range is older than the finer data (MetricResolutions).
/// <see cref="From"/> is the first step's start (the asked <c>from</c> rounded down to the step).
/// </summary>
public sealed record MetricSeriesResult(
    string Name, string Type, string Fn, DateTimeOffset From, DateTimeOffset To, int StepSeconds, string Resolution,
    IReadOnlyList<MetricSeriesLine> Series);

/// <summary>A metric name as <c>GET /api/metrics/names</c> lists it.</summary>
public sealed record MetricName(string Name, string Type, DateTimeOffset LastSeen);

/// <summary>
/// A series query. <paramref name="Name"/> is a metric name or a pattern where <c>*</c> stands for any
/// characters within one dot-separated segment (<c>api.*.requests</c>). <paramref name="GroupBy"/>: null
/// combines every matched series into one line (counters and timers add up, gauges' last values add up);
/// <c>name</c> gives a line per series; a number N gives a line per value of the name's Nth segment (1-based).
/// </summary>
public sealed record MetricSeriesQuery(
    string Name, DateTimeOffset From, DateTimeOffset To, TimeSpan? Step = null, string? Fn = null, string? GroupBy = null, MetricKind? Kind = null);
