namespace OpsPortal.Core.Alerts;

/// <summary>
/// A rule: what to measure (<see cref="Spec"/>, by <see cref="Kind"/>), how often, whom it belongs to, and
/// how its results become states and notifications. One node at a time evaluates it, under a row lease
/// (<see cref="LeaseOwner"/>/<see cref="LeaseUntil"/>, docs/decisions/ADR-020-alert-evaluation.md).
/// </summary>
public class AlertRule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Service { get; set; }

    /// <summary>The wiki page to follow when it fires (slug).</summary>
    public string? Runbook { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public AlertRuleKind Kind { get; set; }
    public int IntervalSeconds { get; set; } = 60;
    public AlertRuleSpec Spec { get; set; } = new();

    /// <summary>Consecutive non-OK results before a state is hard (Nagios max_check_attempts).</summary>
    public int HardAfter { get; set; } = 1;

    /// <summary>Minutes between repeated notifications while firing and not acknowledged; 0 = never repeat.</summary>
    public int RepeatMinutes { get; set; } = 60;

    /// <summary>"SEV1".."SEV4": declare an incident of this severity when the rule goes hard CRITICAL; null = never.</summary>
    public string? IncidentSeverity { get; set; }
    public bool Enabled { get; set; } = true;
    public int Version { get; set; } = 1;

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the next round is due; the evaluator moves it on by the interval after each round.</summary>
    public DateTimeOffset NextRunAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public double? LastRunMs { get; set; }
    public string? LastError { get; set; }

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
}

/// <summary>The kind-specific part of a rule, stored as one jsonb document.</summary>
public sealed record AlertRuleSpec
{
    // Log kinds (threshold, anomaly, no data).
    public string? Query { get; init; }
    public AlertMeasure Measure { get; init; } = AlertMeasure.Count;

    /// <summary>Ratio: the lines the ratio is taken of (empty: all lines).</summary>
    public string? Denominator { get; init; }

    /// <summary>Percentile: backendtime or clienttime.</summary>
    public string? Field { get; init; }
    public double Percentile { get; init; } = 95;
    public int WindowSeconds { get; init; } = 300;

    /// <summary>host, path or ip: one alert instance per value (the top 100).</summary>
    public string? GroupBy { get; init; }
    public double? Warning { get; init; }
    public double? Critical { get; init; }

    /// <summary>Fire when the value falls below the thresholds instead of above.</summary>
    public bool Below { get; init; }

    // Anomaly: the same window at the same time of day over the last Weeks weeks.
    public int Weeks { get; init; } = 4;

    /// <summary>How many spreads (median absolute deviations, scaled) from the median is CRITICAL (WARNING at two thirds).</summary>
    public double Spreads { get; init; } = 3;

    /// <summary>The smallest absolute change from the median that may fire, so that a flat history does not fire on noise.</summary>
    public double MinChange { get; init; }

    // HTTP check.
    public string? Url { get; init; }
    public int ExpectStatus { get; init; } = 200;
    public string? BodyContains { get; init; }
    public int? WarningMs { get; init; }
    public int? CriticalMs { get; init; }
    public int? CertWarningDays { get; init; }
    public int? CertCriticalDays { get; init; }
    public int TimeoutSeconds { get; init; } = 10;

    // Feature check.
    /// <summary>The <see cref="IFeatureCheck.Name"/> of the feature whose health the rule watches.</summary>
    public string? Check { get; init; }
}
