using System.Globalization;

namespace OpsPortal.Core.Alerts;

/// <summary>The notification an alert sends: what, where, since when, value vs threshold, the runbook and the alert.</summary>
public sealed record AlertMessage(string Subject, string Text, string Severity, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Links, string DedupKey);

public static class AlertMessages
{
    public static AlertMessage For(AlertRule rule, AlertInstance i, NotificationKind kind, string? publicUrl)
    {
        var where = i.GroupKey.Length > 0 ? $"{rule.Service} ({rule.Spec.GroupBy} {i.GroupKey})" : rule.Service;
        var state = AlertStates.Name(i.HardState);
        var head = kind switch
        {
            NotificationKind.Recovery => $"[RECOVERED] {rule.Name} on {where}",
            NotificationKind.Repeat => $"[{state}, still] {rule.Name} on {where}",
            _ => $"[{state}] {rule.Name} on {where}",
        };
        var baseUrl = (publicUrl ?? "").TrimEnd('/');
        var alertLink = $"{baseUrl}/alerts/rules/{rule.Id}";
        var links = new List<string> { alertLink };
        string? runbookLink = rule.Runbook is { } slug ? $"{baseUrl}/wiki/{slug}" : null;
        if (runbookLink is not null)
        {
            links.Add(runbookLink);
        }
        var since = kind == NotificationKind.Recovery ? i.Since : i.FirstFiringAt ?? i.Since;
        var lines = new List<string>
        {
            kind == NotificationKind.Recovery ? $"{rule.Name} recovered on {where} at {Iso(i.Since)}." : $"{rule.Name} is {state} on {where}.",
            $"What: {i.Message}",
            $"Where: service {rule.Service}" + (i.GroupKey.Length > 0 ? $", {rule.Spec.GroupBy} {i.GroupKey}" : ""),
            (kind == NotificationKind.Recovery ? "Problem began: " : "Since: ") + Iso(kind == NotificationKind.Recovery ? i.FirstFiringAt ?? since : since),
            $"Value: {(i.Value is { } v ? AlertEvaluator.Number(v) : "none")}" + (i.Threshold is { } t ? $" (threshold {AlertEvaluator.Number(t)})" : ""),
            runbookLink is null ? "Runbook: none linked" : $"Runbook: {runbookLink}",
            $"Alert: {alertLink}",
        };
        var labels = new Dictionary<string, string>(rule.Labels, StringComparer.Ordinal)
        {
            ["service"] = rule.Service,
            ["rule"] = rule.Name,
            ["severity"] = kind == NotificationKind.Recovery ? "OK" : state,
        };
        if (i.GroupKey.Length > 0)
        {
            labels["group"] = i.GroupKey;
        }
        return new AlertMessage(head, string.Join('\n', lines), labels["severity"], labels, links, $"alert:{rule.Id}:{i.GroupKey}");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
