using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Core.Verification;

public static class ImpactVerdict
{
    /// <summary>The deploy has not finished (or not started): nothing to compare yet.</summary>
    public const string Pending = "pending";

    /// <summary>Inside the window after the switch: numbers so far, no verdict yet.</summary>
    public const string Watching = "watching";
    public const string Healthy = "healthy";
    public const string Regressed = "regressed";
    public const string NotEnoughTraffic = "not_enough_traffic";

    /// <summary>The deploy never ran its script (cancelled before it started): nothing was switched.</summary>
    public const string Skipped = "skipped";

    internal static bool IsFinal(string verdict) => verdict is Healthy or Regressed or NotEnoughTraffic or Skipped;
}

/// <summary>One side (before or after) of one group (all hosts, or one host), summed over the window.</summary>
public sealed record ImpactSide(DateTime From, DateTime To, long Requests, long Errors, long Mismatches, double? P95, double? P99)
{
    public double Minutes => Math.Max((To - From).TotalMinutes, 1e-9);
    public double RatePerMinute => Requests / Minutes;
    public double? ErrorRatio => Requests == 0 ? null : (double)Errors / Requests;
    public double? MismatchRatio => Requests == 0 ? null : (double)Mismatches / Requests;
}

/// <summary>Before and after of one group, with the buckets (host null: every request the selector matches).</summary>
internal sealed record ImpactGroup(string? Host, ImpactSide Before, ImpactSide After, IReadOnlyList<TrafficBucket> BeforeBuckets, IReadOnlyList<TrafficBucket> AfterBuckets);

public static class ImpactMetric
{
    public const string RequestRate = "request_rate";
    public const string ErrorRatio = "5xx_ratio";
    public const string P95 = "p95_backendtime";
    public const string P99 = "p99_backendtime";
    public const string Mismatch = "backendstatus_mismatch";

    public static string Label(string metric) => metric switch
    {
        RequestRate => "requests/min",
        ErrorRatio => "5xx ratio",
        P95 => "p95 backend time",
        P99 => "p99 backend time",
        Mismatch => "backend status mismatches",
        _ => metric,
    };
}

/// <summary>One test of one metric of one group: the values compared, the p-value, and whether it counts as a regression.</summary>
/// <param name="Before">The window's value before (a ratio, seconds, or requests a minute).</param>
/// <param name="PValue">Null when the metric could not be tested (too few samples).</param>
/// <param name="Large">The change is at least the practical minimum (ADR-026): significance alone is not enough.</param>
public sealed record ImpactFinding(string? Host, string Metric, double? Before, double? After, double? PValue, double Threshold, bool Large, bool Regressed);

/// <summary>What the judge concluded from a set of groups.</summary>
internal sealed record ImpactJudgement(string Verdict, string Reason, IReadOnlyList<ImpactFinding> Findings);
