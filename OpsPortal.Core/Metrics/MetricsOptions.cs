namespace OpsPortal.Core.Metrics;

/// <summary>The <c>OpsPortal:Metrics</c> configuration section (docs/metrics.md).</summary>
public sealed class MetricsOptions
{
    public const string Section = "OpsPortal:Metrics";

    /// <summary>The environment variables that set the ports, as run.sh and docker-compose name them.</summary>
    public const string StatsdPortVariable = "OPSPORTAL_STATSD_PORT";
    public const string GraphitePortVariable = "OPSPORTAL_GRAPHITE_PORT";

    /// <summary>StatsD over UDP and TCP on this port (8125 is StatsD's usual one); 0, the default, turns it off.</summary>
    public int StatsdPort { get; set; }

    /// <summary>Graphite plaintext over TCP and UDP on this port (2003 is Carbon's usual one); 0, the default, turns it off.</summary>
    public int GraphitePort { get; set; }

    /// <summary>Address the metric ports listen on (all IPv4 interfaces by default: senders are other machines).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Values are aggregated in memory and written as one point per series and node per interval.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Distinct series one node accepts per flush interval; lines beyond it are counted as bad.</summary>
    public int MaxSeriesPerInterval { get; set; } = 50_000;

    /// <summary>Closed intervals kept in memory while the database cannot be written (the oldest go first beyond it).</summary>
    public int MaxPendingIntervals { get; set; } = 360;

    /// <summary>Days of raw points (one per series, node and flush interval) kept in daily partitions.</summary>
    public int RawRetentionDays { get; set; } = 7;

    /// <summary>Days of per-minute rollups kept.</summary>
    public int MinuteRetentionDays { get; set; } = 30;

    /// <summary>Months of per-hour rollups kept.</summary>
    public int HourRetentionMonths { get; set; } = 13;

    /// <summary>How often minutes written since the last round are rolled up.</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether this process rolls up (any number of nodes may: an advisory lock makes them take turns).</summary>
    public bool RunRollups { get; set; } = true;

    /// <summary>Daily partitions created ahead of time.</summary>
    public int PartitionsAhead { get; set; } = 2;
}
