using System.Globalization;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.Alerts;

internal static class AlertMessages
{
    /// <summary>The notification an alert sends: what, where, since when, value vs threshold, the runbook and the alert.</summary>
    public static NotificationMessage For(AlertRule rule, AlertInstance i, NotificationKind kind, string? publicUrl)
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
        var links = new List<NotificationLink> { new("Alert", $"/alerts/rules/{rule.Id}") };
        string? runbookLink = rule.Runbook is { } slug ? $"{baseUrl}/wiki/{slug}" : null;
        if (rule.Runbook is { } runbook)
        {
            links.Add(new NotificationLink("Runbook", $"/wiki/{runbook}"));
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
            ["state"] = kind == NotificationKind.Recovery ? "OK" : state,
        };
        if (i.GroupKey.Length > 0)
        {
            labels["group"] = i.GroupKey;
        }
        var severity = kind == NotificationKind.Recovery ? NotificationSeverity.Ok
            : i.HardState == AlertState.Critical ? NotificationSeverity.Critical : NotificationSeverity.Warning;
        return new NotificationMessage(head, string.Join('\n', lines), severity, labels, links, AlertEventKinds.SubjectType,
            rule.Id.ToString(CultureInfo.InvariantCulture), $"alert:{rule.Id}:{i.GroupKey}");
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
