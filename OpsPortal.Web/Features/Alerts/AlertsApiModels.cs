using OpsPortal.Core.Alerts;

namespace OpsPortal.Web.Features.Alerts;

public sealed record AlertRuleResponse(long Id, string Name, string Service, string? Runbook, IReadOnlyDictionary<string, string> Labels,
    AlertRuleKind Kind, int IntervalSeconds, AlertRuleSpec Spec, int HardAfter, int RepeatMinutes, string? IncidentSeverity, bool Enabled,
    int Version, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastRunAt, double? LastRunMs, string? LastError)
{
    public static AlertRuleResponse From(AlertRule r) => new(r.Id, r.Name, r.Service, r.Runbook, r.Labels, r.Kind, r.IntervalSeconds, r.Spec,
        r.HardAfter, r.RepeatMinutes, r.IncidentSeverity, r.Enabled, r.Version, r.CreatedBy, r.CreatedAt, r.UpdatedAt, r.LastRunAt, r.LastRunMs, r.LastError);
}

/// <summary>A current alert: the rule, the group, the hard state and since when, the value and what holds it quiet.</summary>
public sealed record AlertResponse(long Id, long RuleId, string Rule, string Service, string Group, string State, bool Hard, string CurrentState,
    DateTimeOffset Since, DateTimeOffset? FirstFiringAt, double? Value, double? Threshold, string Message, bool Flapping, bool Silenced,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? AckComment, long? IncidentId, DateTimeOffset LastEvaluatedAt)
{
    public static AlertResponse From(AlertView v) => new(v.Instance.Id, v.Rule.Id, v.Rule.Name, v.Rule.Service, v.Instance.GroupKey,
        AlertStates.Name(v.Instance.HardState), v.Instance.Hard, AlertStates.Name(v.Instance.State), v.Instance.Since, v.Instance.FirstFiringAt,
        v.Instance.Value, v.Instance.Threshold, v.Instance.Message, v.Instance.Flapping, v.Silenced, v.Instance.AcknowledgedBy,
        v.Instance.AcknowledgedAt, v.Instance.AckComment, v.Instance.IncidentId, v.Instance.LastEvaluatedAt);
}

public sealed record AlertHistoryResponse(long Id, DateTimeOffset At, string Kind, string Group, string FromState, string ToState, double? Value, string Message)
{
    public static AlertHistoryResponse Of(AlertTransition t) =>
        new(t.Id, t.At, t.Kind, t.GroupKey, AlertStates.Name(t.From), AlertStates.Name(t.To), t.Value, t.Message);
}

public sealed record AlertSampleResponse(DateTimeOffset At, string Group, double? Value, string State, string? Detail);

public sealed record AckRequest(string? Comment);

/// <summary>A backtest: the rule as the editor holds it, and how many days back (1–7, default 1).</summary>
public sealed record PreviewRequest(AlertRuleRequest? Rule, double? Days);

public sealed record SilenceResponse(long Id, IReadOnlyList<SilenceMatcher> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Reason,
    string CreatedBy, DateTimeOffset CreatedAt, string? EndedBy, bool Active)
{
    public static SilenceResponse From(AlertSilence s, DateTimeOffset now) =>
        new(s.Id, s.Matchers, s.StartsAt, s.EndsAt, s.Reason, s.CreatedBy, s.CreatedAt, s.EndedBy, s.IsActive(now));
}
