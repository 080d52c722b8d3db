using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Incidents;

public enum TimelineCategory
{
    State,
    Note,
    Deploy,
    Ticket,
    Runbook,
    Other,
}

/// <summary>
/// One moment of the review. <see cref="At"/> is when it happened (a backdated note or time edit says
/// so in its payload); <see cref="RecordedAt"/> is when the event was written. <see cref="Relevant"/>:
/// shown by default and written into the postmortem (see <see cref="IncidentTimeline.IsRelevant"/>);
/// the rest is behind "show all".
/// </summary>
public sealed record TimelineItem(
    long EventId, DateTimeOffset At, DateTimeOffset RecordedAt, string Kind, TimelineCategory Category,
    string Actor, string Summary, string? Service, bool Pinned, string? Text, bool Relevant = true)
{
    public bool Backdated => RecordedAt - At > TimeSpan.FromMinutes(1);
}

public sealed record TimelineWindow(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// The incident review's one chronological view, all from the events table: the incident's own events,
/// its ticket's, and, within the window (impact start minus a margin to resolution or now), every event
/// of the affected services (deploys, rollbacks, tickets …) and changes to their runbooks.
/// </summary>
public sealed class IncidentTimeline(IDbContextFactory<OpsDbContext> dbFactory, Wiki.WikiService wiki, TimeProvider clock)
{
    public const string TicketSubjectType = Tickets.TicketEventKinds.SubjectType;
    public const string WikiSubjectType = Wiki.WikiEventKinds.SubjectType;

    public TimelineWindow WindowFor(Incident incident, TimeSpan margin)
    {
        var end = incident.ResolvedAt ?? clock.GetUtcNow();
        return new TimelineWindow(incident.StartedAt - margin, end < incident.StartedAt ? incident.StartedAt : end);
    }

    public async Task<List<TimelineItem>> BuildAsync(Incident incident, TimeSpan margin, CancellationToken ct = default)
    {
        var window = WindowFor(incident, margin);
        var id = incident.Id.ToString(CultureInfo.InvariantCulture);
        var services = incident.Services;
        var ticket = incident.TicketKey;
        // The services' runbooks: the wiki's pages that name one of them.
        var runbookIds = (await wiki.RunbookSubjectIdsAsync(services, ct)).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = await db.Events.AsNoTracking()
            .Where(e => (e.SubjectType == IncidentEventKinds.SubjectType && e.SubjectId == id)
                || (ticket != null && e.SubjectType == TicketSubjectType && e.SubjectId == ticket)
                || (e.OccurredAt >= window.From && e.OccurredAt <= window.To
                    && ((e.Service != null && services.Contains(e.Service) && e.SubjectType != IncidentEventKinds.SubjectType)
                        || (e.SubjectType == WikiSubjectType && runbookIds.Contains(e.SubjectId)))))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .Take(5000)
            .ToListAsync(ct);
        var pins = await db.IncidentPins.AsNoTracking().Where(p => p.IncidentId == incident.Id).Select(p => p.EventId).ToListAsync(ct);
        var pinned = pins.ToHashSet();
        return events
            // Pin and unpin events are bookkeeping of the review itself, not moments of the incident.
            .Where(e => e.Kind is not (IncidentEventKinds.Pinned or IncidentEventKinds.Unpinned))
            .Select(e => new TimelineItem(e.Id, HappenedAt(e), e.OccurredAt, e.Kind, Categorize(e.Kind), e.Actor, e.Summary, e.Service,
                pinned.Contains(e.Id), e.Kind == IncidentEventKinds.NoteAdded ? Text(e.Payload, "text") : null,
                pinned.Contains(e.Id) || IsRelevant(e, id, ticket)))
            .OrderBy(i => i.At).ThenBy(i => i.EventId)
            .ToList();
    }

    /// <summary>
    /// What a reader of the incident needs: its own events and its ticket's, and of its services' events in
    /// the window those that change or explain the service — deploys and rollbacks, alerts, its runbooks'
    /// edits. Other tickets of the service, notification deliveries, pages' escalation steps, dashboard and
    /// catalog edits are real but not this incident's story (a busy service has dozens an hour).
    /// </summary>
    internal static bool IsRelevant(OpsEvent e, string incidentId, string? ticket) =>
        (e.SubjectType == IncidentEventKinds.SubjectType && e.SubjectId == incidentId)
        || (ticket is not null && e.SubjectType == TicketSubjectType && e.SubjectId == ticket)
        || Categorize(e.Kind) is TimelineCategory.Deploy or TimelineCategory.Runbook
        || e.Kind.StartsWith("alert.", StringComparison.Ordinal);

    internal static TimelineCategory Categorize(string kind) => kind switch
    {
        IncidentEventKinds.NoteAdded => TimelineCategory.Note,
        IncidentEventKinds.DeployOverride => TimelineCategory.Deploy,
        _ when kind.StartsWith("incident.", StringComparison.Ordinal) => TimelineCategory.State,
        _ when kind.StartsWith("deploy.", StringComparison.Ordinal) || kind.StartsWith("rollback.", StringComparison.Ordinal) => TimelineCategory.Deploy,
        _ when kind.StartsWith("ticket.", StringComparison.Ordinal) => TimelineCategory.Ticket,
        _ when kind.StartsWith("wiki.", StringComparison.Ordinal) => TimelineCategory.Runbook,
        _ => TimelineCategory.Other,
    };

    /// <summary>Events that record something that happened earlier carry its time as <c>at</c>.</summary>
    private static DateTimeOffset HappenedAt(OpsEvent e) =>
        Text(e.Payload, "at") is { } at && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : e.OccurredAt;

    private static string? Text(JsonDocument? payload, string name) =>
        payload?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
