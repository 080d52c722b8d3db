namespace OpsPortal.Core.Alerts;

public sealed class AlertsOptions
{
    public const string Section = "OpsPortal:Alerts";

    /// <summary>Evaluate rules in this process (every node may; a row lease gives each round to one).</summary>
    public bool RunEvaluator { get; set; } = true;

    /// <summary>How often an evaluator looks for due rules.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The shortest evaluation interval a rule may have (10 s; tests lower it).</summary>
    public int MinIntervalSeconds { get; set; } = 10;

    /// <summary>Rules evaluated at the same time by one node.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>Days of measured values kept per rule (the rule page's series, HTTP check results).</summary>
    public int SampleRetentionDays { get; set; } = 14;
}
