using System.Text.RegularExpressions;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Alerts;

/// <summary>A rule as the API and the editor send it; omitted settings take their defaults.</summary>
public sealed record AlertRuleRequest
{
    public string? Name { get; init; }
    public string? Service { get; init; }
    public string? Runbook { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public AlertRuleKind Kind { get; init; } = AlertRuleKind.Threshold;
    public int? IntervalSeconds { get; init; }
    public AlertRuleSpec? Spec { get; init; }
    public int? HardAfter { get; init; }
    public int? RepeatMinutes { get; init; }
    public string? IncidentSeverity { get; init; }
    public bool? Enabled { get; init; }

    /// <summary>On update: the version the change was made from (409 when someone saved in between).</summary>
    public int? Version { get; init; }
}

/// <summary>Checks a rule field by field; every message names what to change.</summary>
internal static partial class AlertRuleRules
{
    public const int MaxName = 100;
    public const int MaxGroupKey = 1000;
    public const int MaxLabels = 20;
    private static readonly HashSet<string> ReservedLabels = ["service", "rule", "group", "severity"];

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,99}\z")]
    private static partial Regex ServiceName();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]{0,49}\z")]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9/_-]{0,199}\z")]
    private static partial Regex Slug();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,63}\z")]
    private static partial Regex CheckName();

    public static Result<AlertRuleRequest> Check(AlertRuleRequest r, int minIntervalSeconds)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = r.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxName || name.Any(char.IsControl))
        {
            errors["name"] = $"A rule needs a name of 1 to {MaxName} characters on one line.";
        }
        var service = r.Service?.Trim() ?? "";
        if (!ServiceName().IsMatch(service))
        {
            errors["service"] = "The service is a name of lower-case letters, digits, '.', '_' or '-' (e.g. checkout).";
        }
        var runbook = string.IsNullOrWhiteSpace(r.Runbook) ? null : r.Runbook.Trim().TrimStart('/');
        if (runbook is not null && !Slug().IsMatch(runbook))
        {
            errors["runbook"] = "The runbook is a wiki page's slug, such as runbooks/checkout.";
        }
        var labels = r.Labels ?? [];
        if (labels.Count > MaxLabels || labels.Any(l => !LabelKey().IsMatch(l.Key) || ReservedLabels.Contains(l.Key) || l.Value is null || l.Value.Length > 200))
        {
            errors["labels"] = $"At most {MaxLabels} labels; keys of lower-case letters, digits and '_' (not service, rule, group or severity), values up to 200 characters.";
        }
        var interval = r.IntervalSeconds ?? 60;
        if (interval < minIntervalSeconds || interval > 86_400)
        {
            errors["intervalSeconds"] = $"The interval is {minIntervalSeconds} seconds to one day (86400).";
        }
        if (r.HardAfter is < 1 or > 10)
        {
            errors["hardAfter"] = "A state becomes hard after 1 to 10 consecutive results.";
        }
        if (r.RepeatMinutes is < 0 or > 10_080)
        {
            errors["repeatMinutes"] = "Repeat every 0 (never) to 10080 minutes (a week).";
        }
        var severity = string.IsNullOrWhiteSpace(r.IncidentSeverity) ? null : r.IncidentSeverity.Trim().ToUpperInvariant();
        if (severity is not (null or "SEV1" or "SEV2" or "SEV3" or "SEV4"))
        {
            errors["incidentSeverity"] = "The incident severity is SEV1, SEV2, SEV3 or SEV4 (or none).";
        }
        if (!Enum.IsDefined(r.Kind))
        {
            errors["kind"] = "The kind is Threshold, Anomaly, NoData or HttpCheck.";
        }
        var spec = r.Spec ?? new AlertRuleSpec();
        CheckSpec(r.Kind, spec, errors);
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors, "The rule is not valid");
        }
        return r with
        {
            Name = name,
            Service = service,
            Runbook = runbook,
            Labels = labels,
            IntervalSeconds = interval,
            IncidentSeverity = severity,
            Spec = Normalise(r.Kind, spec),
        };
    }

    private static void CheckSpec(AlertRuleKind kind, AlertRuleSpec s, Dictionary<string, string> errors)
    {
        if (kind == AlertRuleKind.FeatureCheck)
        {
            if (s.Check?.Trim() is not { } check || !CheckName().IsMatch(check))
            {
                errors["spec.check"] = "Name the feature check to watch, such as backups.";
            }
            return;
        }
        if (kind == AlertRuleKind.HttpCheck)
        {
            if (!Uri.TryCreate(s.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0)
            {
                errors["spec.url"] = "The check needs an absolute http:// or https:// URL without credentials.";
            }
            if (s.ExpectStatus is < 100 or > 599)
            {
                errors["spec.expectStatus"] = "The expected status is 100 to 599.";
            }
            if (s.TimeoutSeconds is < 1 or > 60)
            {
                errors["spec.timeoutSeconds"] = "The timeout is 1 to 60 seconds.";
            }
            if (s.WarningMs is <= 0 || s.CriticalMs is <= 0 || s.WarningMs > s.CriticalMs)
            {
                errors["spec.warningMs"] = "Latency thresholds are positive milliseconds, WARNING not above CRITICAL.";
            }
            if (s.CertWarningDays is < 0 || s.CertCriticalDays is < 0 || s.CertWarningDays < s.CertCriticalDays)
            {
                errors["spec.certWarningDays"] = "Certificate days are 0 or more, WARNING not below CRITICAL.";
            }
            return;
        }
        Query("spec.query", s.Query, errors);
        Query("spec.denominator", s.Denominator, errors);
        if (s.WindowSeconds is < 10 or > 86_400)
        {
            errors["spec.windowSeconds"] = "The window is 10 seconds to one day (86400).";
        }
        if (s.GroupBy is { } g && !AlertMeasurer.GroupFields.Contains(g.Trim().ToLowerInvariant()))
        {
            errors["spec.groupBy"] = "Group by host, path or ip (or nothing).";
        }
        if (s.Measure == AlertMeasure.Percentile)
        {
            if (s.Field?.Trim().ToLowerInvariant() is not (null or "backendtime" or "clienttime" or "urt" or "rt"))
            {
                errors["spec.field"] = "The percentile is of backendtime or clienttime.";
            }
            if (s.Percentile is <= 0 or > 100)
            {
                errors["spec.percentile"] = "The percentile is above 0 and at most 100 (e.g. 95).";
            }
        }
        if (kind == AlertRuleKind.Threshold)
        {
            if (s.Warning is null && s.Critical is null)
            {
                errors["spec.critical"] = "Give a WARNING or a CRITICAL threshold (or both).";
            }
            else if (s.Warning is { } w && s.Critical is { } c && (s.Below ? w < c : w > c))
            {
                errors["spec.warning"] = s.Below ? "When firing below, WARNING must not be below CRITICAL." : "WARNING must not be above CRITICAL.";
            }
        }
        if (kind == AlertRuleKind.Anomaly)
        {
            if (s.Weeks is < 2 or > 12)
            {
                errors["spec.weeks"] = "Compare with 2 to 12 past weeks.";
            }
            if (s.Spreads is <= 0 or > 100 || s.MinChange < 0)
            {
                errors["spec.spreads"] = "Spreads are above 0 (e.g. 3); the minimum change is 0 or more.";
            }
        }
    }

    private static void Query(string field, string? query, Dictionary<string, string> errors)
    {
        if (LogQuery.Parse(query).Refusal is { } invalid)
        {
            errors[field] = $"The query is not valid: {invalid.Detail}.";
        }
    }

    private static AlertRuleSpec Normalise(AlertRuleKind kind, AlertRuleSpec s) => kind == AlertRuleKind.FeatureCheck
        ? new AlertRuleSpec { Check = s.Check?.Trim() }
        : kind == AlertRuleKind.HttpCheck
        ? new AlertRuleSpec
        {
            Url = s.Url?.Trim(),
            ExpectStatus = s.ExpectStatus,
            BodyContains = string.IsNullOrEmpty(s.BodyContains) ? null : s.BodyContains,
            WarningMs = s.WarningMs,
            CriticalMs = s.CriticalMs,
            CertWarningDays = s.CertWarningDays,
            CertCriticalDays = s.CertCriticalDays,
            TimeoutSeconds = s.TimeoutSeconds,
        }
        : s with
        {
            Query = string.IsNullOrWhiteSpace(s.Query) ? null : s.Query.Trim(),
            Denominator = s.Measure == AlertMeasure.Ratio && !string.IsNullOrWhiteSpace(s.Denominator) ? s.Denominator.Trim() : null,
            GroupBy = string.IsNullOrWhiteSpace(s.GroupBy) || kind == AlertRuleKind.NoData ? null : s.GroupBy.Trim().ToLowerInvariant(),
            Check = null,
            Field = s.Measure == AlertMeasure.Percentile ? AlertMeasurer.FieldColumn(s.Field) : null,
            Url = null,
            BodyContains = null,
        };
}
