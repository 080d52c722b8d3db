using System.Globalization;
using OpsPortal.Core.Alerts;

namespace OpsPortal.Web.Features.Alerts;

/// <summary>The editor's model of a rule: plain settable fields, turned into an <see cref="AlertRuleRequest"/> to save or backtest.</summary>
public sealed class RuleForm
{
    public string Name { get; set; } = "";
    public string Service { get; set; } = "";
    public string? Runbook { get; set; }
    public string Labels { get; set; } = "";
    public AlertRuleKind Kind { get; set; } = AlertRuleKind.Threshold;
    public int IntervalSeconds { get; set; } = 60;
    public int HardAfter { get; set; } = 1;
    public int RepeatMinutes { get; set; } = 60;
    public string? IncidentSeverity { get; set; }
    public bool Enabled { get; set; } = true;
    public int? Version { get; set; }

    public string? Query { get; set; }
    public AlertMeasure Measure { get; set; } = AlertMeasure.Count;
    public string? Denominator { get; set; }
    public string Field { get; set; } = "backendtime";
    public double Percentile { get; set; } = 95;
    public int WindowMinutes { get; set; } = 5;
    public string? GroupBy { get; set; }
    public double? Warning { get; set; }
    public double? Critical { get; set; }
    public bool Below { get; set; }
    public int Weeks { get; set; } = 4;
    public double Spreads { get; set; } = 3;
    public double MinChange { get; set; }
    public string? Url { get; set; }
    public int ExpectStatus { get; set; } = 200;
    public string? BodyContains { get; set; }
    public int? WarningMs { get; set; }
    public int? CriticalMs { get; set; }
    public int? CertWarningDays { get; set; }
    public int? CertCriticalDays { get; set; }
    public string? Check { get; set; } = "backups";

    public static RuleForm From(AlertRule r) => new()
    {
        Name = r.Name,
        Service = r.Service,
        Runbook = r.Runbook,
        Labels = string.Join(", ", r.Labels.Select(l => $"{l.Key}={l.Value}")),
        Kind = r.Kind,
        IntervalSeconds = r.IntervalSeconds,
        HardAfter = r.HardAfter,
        RepeatMinutes = r.RepeatMinutes,
        IncidentSeverity = r.IncidentSeverity,
        Enabled = r.Enabled,
        Version = r.Version,
        Query = r.Spec.Query,
        Measure = r.Spec.Measure,
        Denominator = r.Spec.Denominator,
        Field = r.Spec.Field ?? "backendtime",
        Percentile = r.Spec.Percentile,
        WindowMinutes = Math.Max(1, r.Spec.WindowSeconds / 60),
        GroupBy = r.Spec.GroupBy,
        Warning = r.Spec.Warning,
        Critical = r.Spec.Critical,
        Below = r.Spec.Below,
        Weeks = r.Spec.Weeks,
        Spreads = r.Spec.Spreads,
        MinChange = r.Spec.MinChange,
        Url = r.Spec.Url,
        ExpectStatus = r.Spec.ExpectStatus,
        BodyContains = r.Spec.BodyContains,
        WarningMs = r.Spec.WarningMs,
        CriticalMs = r.Spec.CriticalMs,
        CertWarningDays = r.Spec.CertWarningDays,
        CertCriticalDays = r.Spec.CertCriticalDays,
        Check = r.Spec.Check,
    };

    public AlertRuleRequest ToRequest() => new()
    {
        Name = Name,
        Service = Service,
        Runbook = Runbook,
        Labels = ParseLabels(Labels),
        Kind = Kind,
        IntervalSeconds = IntervalSeconds,
        HardAfter = HardAfter,
        RepeatMinutes = RepeatMinutes,
        IncidentSeverity = IncidentSeverity,
        Enabled = Enabled,
        Version = Version,
        Spec = new AlertRuleSpec
        {
            Query = Query,
            Measure = Measure,
            Denominator = Denominator,
            Field = Field,
            Percentile = Percentile,
            WindowSeconds = WindowMinutes * 60,
            GroupBy = GroupBy,
            Warning = Warning,
            Critical = Critical,
            Below = Below,
            Weeks = Weeks,
            Spreads = Spreads,
            MinChange = MinChange,
            Url = Url,
            ExpectStatus = ExpectStatus,
            BodyContains = BodyContains,
            WarningMs = WarningMs,
            CriticalMs = CriticalMs,
            CertWarningDays = CertWarningDays,
            CertCriticalDays = CertCriticalDays,
            Check = Check,
        },
    };

    /// <summary>"team=payments, tier=1" → labels; a pair without '=' keeps an empty value, which the rule check reports.</summary>
    public static Dictionary<string, string> ParseLabels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1] : "", StringComparer.Ordinal);

    public static string Number(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";
}
