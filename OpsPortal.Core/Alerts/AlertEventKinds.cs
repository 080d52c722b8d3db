namespace OpsPortal.Core.Alerts;

public static class AlertEventKinds
{
    /// <summary>Events about a rule and its instances carry the rule's id as subject.</summary>
    public const string SubjectType = "alert";
    public const string SilenceSubjectType = "silence";

    public const string RuleCreated = "alert.rule_created";
    public const string RuleUpdated = "alert.rule_updated";
    public const string RuleDeleted = "alert.rule_deleted";

    /// <summary>A soft state change (not yet confirmed by HardAfter results).</summary>
    public const string SoftChanged = "alert.soft_changed";

    /// <summary>A hard state change: firing, a change of severity, or recovery.</summary>
    public const string Fired = "alert.fired";
    public const string Recovered = "alert.recovered";
    public const string FlappingStarted = "alert.flapping_started";
    public const string FlappingStopped = "alert.flapping_stopped";
    public const string Acknowledged = "alert.acknowledged";

    /// <summary>A notification was decided and handed to the outbox.</summary>
    public const string Notified = "alert.notified";
    public const string IncidentDeclared = "alert.incident_declared";

    /// <summary>Declaring the firing's incident was refused; it is not asked again until the rule changes or the alert fires anew.</summary>
    public const string IncidentRefused = "alert.incident_refused";

    public const string SilenceCreated = "silence.created";
    public const string SilenceEnded = "silence.ended";
}
