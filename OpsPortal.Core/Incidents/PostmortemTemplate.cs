using System.Globalization;
using System.Text;

namespace OpsPortal.Core.Incidents;

/// <summary>
/// The postmortem page's first revision: what the portal knows (impact, the five times and their
/// durations, the timeline with key moments marked) and headings for what only people know.
/// </summary>
internal static class PostmortemTemplate
{
    public const string ActionItemsHeading = "## Action items";

    public static string SlugFor(Incident incident) => $"postmortems/incident-{incident.Id}";

    public static string TitleFor(Incident incident) => $"Postmortem: {Incident.SeverityName(incident.Severity)} #{incident.Id} {incident.Title}";

    /// <param name="selectors">The affected services' log selectors from the service catalog, for links to their requests.</param>
    public static string Render(Incident incident, IReadOnlyList<TimelineItem> timeline, IReadOnlyList<Services.ServiceSelector>? selectors = null)
    {
        var b = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var ticket = incident.TicketKey is { } t ? $" · ticket {t}" : "";
        b.AppendLine(inv, $"Incident [#{incident.Id}](/incidents/{incident.Id}) · {Incident.SeverityName(incident.Severity)} · services {string.Join(", ", incident.Services)}{ticket}");
        b.AppendLine(inv, $"Commander {incident.Commander ?? "—"} · participants {string.Join(", ", incident.Participants)} · status {incident.Status}");
        b.AppendLine();
        b.AppendLine("## Summary");
        b.AppendLine();
        b.AppendLine(string.IsNullOrWhiteSpace(incident.Summary) ? "What happened, in two or three sentences." : incident.Summary);
        b.AppendLine();
        b.AppendLine("## Impact");
        b.AppendLine();
        b.AppendLine(inv, $"- Services: {string.Join(", ", incident.Services.Select(s => ServiceLink(s, selectors, incident)))}");
        b.AppendLine(inv, $"- Impact from {Utc(incident.StartedAt)} to {Utc(incident.ResolvedAt)} UTC ({Duration(incident.StartedAt, incident.ResolvedAt)})");
        b.AppendLine("- Who was affected and how (users, requests, money): ");
        b.AppendLine();
        b.AppendLine("## Times (UTC)");
        b.AppendLine();
        b.AppendLine("| Moment | Time | Duration |");
        b.AppendLine("|---|---|---|");
        b.AppendLine(inv, $"| Impact started | {Utc(incident.StartedAt)} | |");
        b.AppendLine(inv, $"| Detected | {Utc(incident.DetectedAt)} | time to detect {Duration(incident.StartedAt, incident.DetectedAt)} |");
        b.AppendLine(inv, $"| Acknowledged | {Utc(incident.AcknowledgedAt)} | time to acknowledge {Duration(incident.DetectedAt, incident.AcknowledgedAt)} |");
        b.AppendLine(inv, $"| Mitigated | {Utc(incident.MitigatedAt)} | time to mitigate {Duration(incident.StartedAt, incident.MitigatedAt)} |");
        b.AppendLine(inv, $"| Resolved | {Utc(incident.ResolvedAt)} | time to restore {Duration(incident.StartedAt, incident.ResolvedAt)} |");
        b.AppendLine();
        b.AppendLine("## Timeline (UTC)");
        b.AppendLine();
        b.AppendLine("Key moments are marked ★.");
        b.AppendLine();
        foreach (var item in timeline.Where(i => i.Relevant))
        {
            var text = (item.Text ?? item.Summary).ReplaceLineEndings(" ");
            b.AppendLine(inv, $"- {(item.Pinned ? "★ " : "")}**{Utc(item.At)}** ({item.Category.ToString().ToLowerInvariant()}) {text}");
        }
        if (timeline.Count(i => !i.Relevant) is > 0 and var others)
        {
            b.AppendLine();
            b.AppendLine(inv, $"{others} other event{(others == 1 ? "" : "s")} of these services in the window (other tickets, notifications, pages …) are left out: [show all on the review](/incidents/{incident.Id}/review?all=true).");
        }
        b.AppendLine();
        b.AppendLine("## Root cause");
        b.AppendLine();
        b.AppendLine("## What went well");
        b.AppendLine();
        b.AppendLine("## What went wrong");
        b.AppendLine();
        b.AppendLine(ActionItemsHeading);
        b.AppendLine();
        b.AppendLine("One per line as `- [ ] what to do (owner)`. The incident's review page turns each into a ticket linked to the incident.");
        b.AppendLine();
        b.AppendLine("- [ ] ");
        return b.ToString();
    }

    /// <summary>The service's page when the catalog knows it, and its requests over the impact in the Logs.</summary>
    private static string ServiceLink(string service, IReadOnlyList<Services.ServiceSelector>? selectors, Incident incident)
    {
        if (selectors?.FirstOrDefault(s => s.Service == service) is not { } selector)
        {
            return service;
        }
        var from = incident.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var to = (incident.ResolvedAt ?? incident.StartedAt.AddHours(1)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var name = selector.Known ? $"[{service}](/services/{Uri.EscapeDataString(service)})" : service;
        return $"{name} ([requests during the impact](/logs?q={Uri.EscapeDataString(selector.Query)}&from={from}&to={to}))";
    }

    private static string Utc(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    private static string Duration(DateTimeOffset? from, DateTimeOffset? to) =>
        IncidentRules.FormatDuration(from is { } a && to is { } b ? (b - a).TotalSeconds : null);
}
