namespace OpsPortal.Core.Metrics.Storage;

/// <summary>The time-partitioned metric tables (<see cref="TimePartitions"/>): raw points and minute rollups by day, hour rollups by month.</summary>
internal static class MetricTables
{
    public const string Points = "metric_points";
    public const string Minutes = "metric_rollup_minute";
    public const string Hours = "metric_rollup_hour";
    public const string Dirty = "metric_rollup_dirty";
}
