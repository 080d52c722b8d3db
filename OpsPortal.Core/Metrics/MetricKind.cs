namespace OpsPortal.Core.Metrics;

/// <summary>What a metric measures; the number is stored in <c>metric_series.kind</c>.</summary>
public enum MetricKind : short
{
    /// <summary>StatsD <c>|c</c>: increments, summed per interval (each value scaled by 1/sample rate).</summary>
    Counter = 1,

    /// <summary>StatsD <c>|g</c> (a <c>+</c>/<c>-</c> value is a change) and Graphite plaintext: the latest value wins.</summary>
    Gauge = 2,

    /// <summary>StatsD <c>|ms</c>, <c>|h</c> and <c>|d</c>: a distribution (count, sum, min, max, percentile sketch).</summary>
    Timer = 3,

    /// <summary>StatsD <c>|s</c>: the number of distinct values per flush interval.</summary>
    Set = 4,
}

public static class MetricKinds
{
    internal static string Name(MetricKind kind) => kind switch
    {
        MetricKind.Counter => "counter",
        MetricKind.Gauge => "gauge",
        MetricKind.Timer => "timer",
        MetricKind.Set => "set",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static MetricKind? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "counter" or "c" => MetricKind.Counter,
        "gauge" or "g" => MetricKind.Gauge,
        "timer" or "ms" or "histogram" or "h" => MetricKind.Timer,
        "set" or "s" => MetricKind.Set,
        _ => null,
    };
}
