namespace OpsPortal.Core.Alerts;

/// <summary>
/// The live state of one rule, or of one group of a grouped rule (host, path or ip): the latest result,
/// whether it is hard, the flap history, the acknowledgement and what was last notified.
/// </summary>
public class AlertInstance
{
    public long Id { get; set; }
    public long RuleId { get; set; }

    /// <summary>The group's value ("" for a rule without groups).</summary>
    public string GroupKey { get; set; } = "";

    public AlertState State { get; set; }
    public bool Hard { get; set; } = true;
    public AlertState HardState { get; set; }
    public int Attempt { get; set; }

    /// <summary>Since when <see cref="HardState"/> holds.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>The first non-OK result of the current problem (null while OK).</summary>
    public DateTimeOffset? FirstFiringAt { get; set; }

    public double? Value { get; set; }
    public double? Threshold { get; set; }
    public string Message { get; set; } = "";
    public DateTimeOffset LastEvaluatedAt { get; set; }

    /// <summary>The last results, oldest first, one letter each (O, W, C, U), for flap detection.</summary>
    public string History { get; set; } = "";
    public bool Flapping { get; set; }

    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AckComment { get; set; }

    /// <summary>The state the last notification announced, and when (null: nothing sent since recovery).</summary>
    public AlertState? NotifiedState { get; set; }
    public DateTimeOffset? NotifiedAt { get; set; }

    public long? IncidentId { get; set; }

    /// <summary>
    /// The rule's version when declaring this firing's incident was refused (say, by the incident rules): not asked
    /// again until the rule changes or the alert recovers and fires anew.
    /// </summary>
    public int? IncidentRefusedVersion { get; set; }

    public bool Firing => HardState != AlertState.Ok;
}

/// <summary>One line of a rule's history: a state change (soft or hard), flapping, an acknowledgement, a notification.</summary>
public class AlertTransition
{
    public long Id { get; set; }
    public long RuleId { get; set; }
    public long InstanceId { get; set; }
    public string GroupKey { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public AlertState From { get; set; }
    public AlertState To { get; set; }
    public double? Value { get; set; }
    public string Message { get; set; } = "";
}

/// <summary>One evaluation's measured value, kept as a series (the rule page's chart; an HTTP check's results).</summary>
public class AlertSample
{
    public long Id { get; set; }
    public long RuleId { get; set; }
    public string GroupKey { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public double? Value { get; set; }
    public AlertState State { get; set; }
    public string? Detail { get; set; }

    /// <summary>Out-of-the-ordinary rules: the expected band at that moment (the rule page draws it under today's line).</summary>
    public double? Low { get; set; }
    public double? High { get; set; }
}

/// <summary>A maintenance window: while it is active, alerts its matchers select notify nobody.</summary>
public class AlertSilence
{
    public long Id { get; set; }
    public List<SilenceMatcher> Matchers { get; set; } = [];
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? EndedBy { get; set; }

    public bool IsActive(DateTimeOffset at) => StartsAt <= at && at < EndsAt;
}

/// <summary>
/// Name: <c>service</c>, <c>rule</c> (the rule's name), <c>group</c>, <c>severity</c> or a label's key. Value: exact,
/// or a glob with <c>*</c>.
/// </summary>
public sealed record SilenceMatcher(string Name, string Value);
