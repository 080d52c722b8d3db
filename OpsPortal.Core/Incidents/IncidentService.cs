using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Core.Incidents;

/// <summary>
/// Declaring and running incidents. A singleton: each operation is one <see cref="OpsDbContext"/>,
/// which it hands to the ticket hook, so an incident, its ticket and their events commit in one
/// transaction (ADR-001). Callers have checked the Engineer role; every method writes its events
/// with the change, and a refused change (<see cref="IncidentRules.Invalid"/>) changes nothing.
/// A declared incident of a paging severity (<see cref="OnCallOptions.PageIncidentSeverities"/>) pages its
/// service's escalation policy in the same transaction; acknowledging or resolving it ends the page.
/// </summary>
public sealed class IncidentService(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock, TicketHook tickets,
    Paging paging, IOptions<OnCallOptions> onCall)
{
    public async Task<Result<Incident>> DeclareAsync(DeclareIncident request, Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var declared = await DeclareAsync(db, request, actor, ct);
        if (declared.Succeeded)
        {
            await tx.CommitAsync(ct);
        }
        return declared;
    }

    /// <summary>
    /// Declares in the caller's context, inside the caller's transaction (which it must have begun): it saves,
    /// because the ticket link needs the incident's id, but never commits. On a refusal the caller rolls back.
    /// </summary>
    public async Task<Result<Incident>> DeclareAsync(OpsDbContext db, DeclareIncident request, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        var now = IncidentRules.Trim(clock.GetUtcNow());
        var detected = Trim(request.DetectedAt) ?? now;
        if (!IncidentRules.Title(request.Title).TryGet(out var title, out var refusal)
            || !IncidentRules.ParseSeverity(request.Severity).TryGet(out var severity, out refusal)
            || !IncidentRules.Services(request.Services).TryGet(out var services, out refusal)
            || !IncidentRules.Summary(request.Summary).TryGet(out var summary, out refusal))
        {
            return refusal;
        }
        var incident = new Incident
        {
            Title = title,
            Severity = severity,
            Services = services,
            Summary = summary,
            Commander = string.IsNullOrWhiteSpace(request.Commander) ? actor.Name : request.Commander.Trim(),
            Participants = IncidentRules.People([actor.Name, .. request.Participants ?? []]),
            StartedAt = Trim(request.StartedAt) ?? (detected < now ? detected : now),
            DetectedAt = detected,
            AcknowledgedAt = Trim(request.AcknowledgedAt),
            MitigatedAt = Trim(request.MitigatedAt),
            ResolvedAt = Trim(request.ResolvedAt),
            LogQuery = string.IsNullOrWhiteSpace(request.LogQuery) ? null : request.LogQuery.Trim(),
            LogFrom = Trim(request.LogFrom),
            LogTo = Trim(request.LogTo),
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        incident.Status = incident.ResolvedAt is not null ? IncidentStatus.Resolved
            : incident.MitigatedAt is not null ? IncidentStatus.Mitigated
            : IncidentStatus.Investigating;
        if (incident.LogQuery is { Length: > 4000 })
        {
            return IncidentRules.Invalid("The attached log query is longer than 4000 characters.");
        }
        if (incident.LogFrom is { } from && incident.LogTo is { } to && from >= to)
        {
            return IncidentRules.Invalid("The attached log time range must start before it ends.");
        }
        if (IncidentRules.CheckTimes(incident, now) is { } badTimes)
        {
            return badTimes;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Declaring an incident in the caller's context needs the caller's transaction.");
        }
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        // Refused here, the transaction rolls back with the incident row in it.
        if (!(await TicketForAsync(db, incident, request.Ticket, actor, ct)).TryGet(out var ticket, out refusal))
        {
            return refusal;
        }
        incident.TicketKey = ticket.Key;
        Append(db, incident, actor, IncidentEventKinds.Declared,
            $"{actor.Name} declared {IncidentName(incident)} on {string.Join(", ", incident.Services)}",
            new { startedAt = incident.StartedAt, severity = Incident.SeverityName(incident.Severity), incident.Services, incident.LogQuery, ticket = incident.TicketKey });
        if (incident.AcknowledgedAt is { } acked)
        {
            Append(db, incident, actor, IncidentEventKinds.Acknowledged, $"{IncidentName(incident)} acknowledged", new { at = acked });
        }
        if (incident.MitigatedAt is { } mitigated)
        {
            Append(db, incident, actor, IncidentEventKinds.Mitigated, $"{IncidentName(incident)} mitigated", new { at = mitigated });
        }
        if (incident.ResolvedAt is { } resolved)
        {
            Append(db, incident, actor, IncidentEventKinds.Resolved, $"{IncidentName(incident)} resolved", new { at = resolved });
        }
        // History recorded late (already acknowledged or resolved) wakes nobody.
        if ((request.Page ?? onCall.Value.PagesIncidentsOf(Incident.SeverityName(incident.Severity)))
            && incident.AcknowledgedAt is null && incident.ResolvedAt is null)
        {
            await paging.PageAsync(db, PageRequestFor(incident), ct);
        }
        await db.SaveChangesAsync(ct);
        return incident;
    }

    private static PageRequest PageRequestFor(Incident incident)
    {
        var id = incident.Id.ToString(CultureInfo.InvariantCulture);
        var links = new List<NotificationLink> { new("Incident", $"/incidents/{id}") };
        return new PageRequest(IncidentEventKinds.SubjectType, id, incident.Services[0], NotificationSeverity.Critical,
            $"{Incident.SeverityName(incident.Severity)} #{id}: {incident.Title}", links,
            $"Incident on {string.Join(", ", incident.Services)}, impact since {IncidentRules.Iso(incident.StartedAt)}, declared by {incident.CreatedBy}."
            + (incident.Summary is { } summary ? "\n" + Shorten(summary, 1000) : ""));
    }

    /// <summary>Acknowledges now; acknowledging twice changes nothing (editing the time is <see cref="UpdateAsync"/>).</summary>
    public async Task<Result<Incident>> AcknowledgeAsync(long id, Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id);
        }
        return incident.AcknowledgedAt is null
            ? await UpdateAsync(id, new IncidentChange { AcknowledgedAt = clock.GetUtcNow() }, actor, ct)
            : incident;
    }

    public Task<Result<Incident>> SetStatusAsync(long id, IncidentStatus status, Actor actor, CancellationToken ct = default) =>
        UpdateAsync(id, new IncidentChange { Status = status.ToString() }, actor, ct);

    /// <summary>Applies a change: status first (its time, when given, is when it happened), then the other fields and times.</summary>
    public async Task<Result<Incident>> UpdateAsync(long id, IncidentChange change, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(actor);
        if (Check(change) is { } invalid)
        {
            return invalid;
        }
        var now = IncidentRules.Trim(clock.GetUtcNow());
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A transaction: the incident's page (if any) is locked and changed with it.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id);
        }
        var before = incident.Status;
        var wasAcknowledged = incident.AcknowledgedAt is not null;
        if (change.Status is not null)
        {
            ChangeStatus(db, incident, IncidentRules.ParseStatus(change.Status).Value, change, now, actor);
        }
        ChangeFields(db, incident, change, actor);
        if ((ChangeTimes(db, incident, change, actor) ?? IncidentRules.CheckTimes(incident, now)) is { } refusal)
        {
            return refusal;
        }
        incident.UpdatedAt = now;
        if (incident.TicketKey is { } key && (before == IncidentStatus.Resolved) != (incident.Status == IncidentStatus.Resolved))
        {
            // The ticket follows the incident: resolved with it, reopened with it. A ticket deleted meanwhile changes nothing.
            var resolved = incident.Status == IncidentStatus.Resolved;
            await tickets.RecordOutcomeAsync(db, key, resolved,
                resolved ? $"Incident #{incident.Id} resolved." : $"Incident #{incident.Id} reopened: the resolution did not hold.", actor, ct);
        }
        var subjectId = incident.Id.ToString(CultureInfo.InvariantCulture);
        if (!wasAcknowledged && incident.AcknowledgedAt is not null)
        {
            await paging.AcknowledgeSubjectAsync(db, IncidentEventKinds.SubjectType, subjectId, actor, ct);
        }
        if (incident.Status == IncidentStatus.Resolved)
        {
            await paging.ResolveSubjectAsync(db, IncidentEventKinds.SubjectType, subjectId, actor, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return incident;
    }

    public async Task<Result<IncidentNote>> AddNoteAsync(long id, string text, DateTimeOffset? at, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = IncidentRules.Trim(clock.GetUtcNow());
        text = text?.Trim() ?? "";
        if (text.Length is 0 or > IncidentRules.MaxNote)
        {
            return IncidentRules.Invalid($"A note needs 1 to {IncidentRules.MaxNote} characters.");
        }
        var when = Trim(at) ?? now;
        if (when > now + IncidentRules.FutureTolerance)
        {
            return IncidentRules.Invalid($"The note's time ({IncidentRules.Iso(when)}) is in the future.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var note = db.IncidentNotes.Add(new IncidentNote { IncidentId = id, At = when, Author = actor.Name, Text = text, CreatedAt = now }).Entity;
        AddParticipant(incident, actor.Name);
        incident.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        Append(db, incident, actor, IncidentEventKinds.NoteAdded, $"{actor.Name} noted on #{id}: {Shorten(text, 200)}",
            new { at = when, noteId = note.Id, text, mentions = Mentions.In(text) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return note;
    }

    /// <summary>Pins (or unpins) one event of the incident's timeline as a key moment.</summary>
    public async Task<Result> SetPinnedAsync(long id, long eventId, bool pinned, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id);
        }
        if (await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct) is not { } ev)
        {
            return IncidentRules.Invalid($"Event {eventId} does not exist.");
        }
        var existing = await db.IncidentPins.SingleOrDefaultAsync(p => p.IncidentId == id && p.EventId == eventId, ct);
        if (pinned == (existing is not null))
        {
            return Result.Ok;
        }
        if (pinned)
        {
            db.IncidentPins.Add(new IncidentPin { IncidentId = id, EventId = eventId, PinnedBy = actor.Name, PinnedAt = clock.GetUtcNow() });
        }
        else
        {
            db.IncidentPins.Remove(existing!);
        }
        Append(db, incident, actor, pinned ? IncidentEventKinds.Pinned : IncidentEventKinds.Unpinned,
            $"{actor.Name} {(pinned ? "pinned" : "unpinned")} a key moment of #{id}: {Shorten(ev.Summary, 200)}", new { eventId });
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>Links the ticket it was declared from, or creates one of type incident.</summary>
    private async Task<Result<LinkedTicket>> TicketForAsync(OpsDbContext db, Incident incident, string? fromTicket, Actor actor, CancellationToken ct)
    {
        var id = incident.Id.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(fromTicket))
        {
            var linked = await tickets.LinkAsync(db, fromTicket.Trim(), TicketLinkTargets.Incident, id, actor, ct);
            return linked.Succeeded ? linked : IncidentRules.Invalid(linked.Refusal.Detail);
        }
        var title = $"{Incident.SeverityName(incident.Severity)}: {incident.Title}";
        var description = $"Incident #{id} on {string.Join(", ", incident.Services)}, impact since {IncidentRules.Iso(incident.StartedAt)}."
            + (incident.Summary is { } summary ? "\n\n" + summary : "");
        var created = await tickets.CreateForAsync(db, new LinkedTicketRequest("incident", Shorten(title, TicketRules.MaxTitleLength),
            Shorten(description, TicketRules.MaxBodyLength), incident.Services[0], "P" + (int)incident.Severity,
            TicketLinkTargets.Incident, id), actor, ct);
        return created.Succeeded ? created : IncidentRules.Invalid("The incident's ticket: " + created.Refusal.Detail);
    }

    /// <summary>Every value of <paramref name="change"/> that is not a time, checked before anything is applied.</summary>
    private static Refusal? Check(IncidentChange change) =>
        (change.Status is null ? null : IncidentRules.ParseStatus(change.Status).Refusal)
        ?? (change.Title is null ? null : IncidentRules.Title(change.Title).Refusal)
        ?? (change.Severity is null ? null : IncidentRules.ParseSeverity(change.Severity).Refusal)
        ?? (change.Services is null ? null : IncidentRules.Services(change.Services).Refusal)
        ?? (change.Summary is null ? null : IncidentRules.Summary(change.Summary).Refusal);

    private void ChangeStatus(OpsDbContext db, Incident incident, IncidentStatus target, IncidentChange change, DateTimeOffset now, Actor actor)
    {
        if (target == incident.Status)
        {
            return;
        }
        var from = incident.Status;
        var at = target switch
        {
            IncidentStatus.Mitigated => Trim(change.MitigatedAt) ?? now,
            IncidentStatus.Resolved => Trim(change.ResolvedAt) ?? now,
            _ => now,
        };
        // Going back (a reopen, or a mitigation that did not hold) forgets the times of the states left.
        var cleared = new Dictionary<string, DateTimeOffset>();
        if (target < IncidentStatus.Resolved && incident.ResolvedAt is { } r)
        {
            cleared["resolvedAt"] = r;
            incident.ResolvedAt = null;
        }
        if (target < IncidentStatus.Mitigated && incident.MitigatedAt is { } m)
        {
            cleared["mitigatedAt"] = m;
            incident.MitigatedAt = null;
        }
        if (target >= IncidentStatus.Mitigated)
        {
            incident.MitigatedAt ??= target == IncidentStatus.Mitigated ? at : Trim(change.MitigatedAt) ?? at;
        }
        if (target == IncidentStatus.Resolved)
        {
            incident.ResolvedAt = at;
        }
        incident.Status = target;
        AddParticipant(incident, actor.Name);
        var kind = from == IncidentStatus.Resolved || target < from ? IncidentEventKinds.Reopened : IncidentEventKinds.ForStatus(target);
        var verb = kind == IncidentEventKinds.Reopened ? $"reopened ({target})" : target.ToString().ToLowerInvariant();
        Append(db, incident, actor, kind, $"{actor.Name}: {IncidentName(incident)} {verb}",
            new { at, from = from.ToString(), to = target.ToString(), cleared });
    }

    /// <summary>Applies the fields of a change already <see cref="Check"/>ed.</summary>
    private void ChangeFields(OpsDbContext db, Incident incident, IncidentChange change, Actor actor)
    {
        var changes = new Dictionary<string, object?>();
        if (change.Title is not null && IncidentRules.Title(change.Title).Value is var title && title != incident.Title)
        {
            changes["title"] = new { from = incident.Title, to = title };
            incident.Title = title;
        }
        if (change.Severity is not null && IncidentRules.ParseSeverity(change.Severity).Value is var severity && severity != incident.Severity)
        {
            changes["severity"] = new { from = Incident.SeverityName(incident.Severity), to = Incident.SeverityName(severity) };
            incident.Severity = severity;
        }
        if (change.Services is not null && IncidentRules.Services(change.Services).Value is var services && !services.SequenceEqual(incident.Services))
        {
            changes["services"] = new { from = incident.Services, to = services };
            incident.Services = services;
        }
        if (change.Commander is not null && change.Commander.Trim() is var commander && commander != (incident.Commander ?? ""))
        {
            changes["commander"] = new { from = incident.Commander, to = commander };
            incident.Commander = commander.Length == 0 ? null : commander;
            if (incident.Commander is not null)
            {
                AddParticipant(incident, incident.Commander);
            }
        }
        if (change.Participants is not null && IncidentRules.People(change.Participants) is var people && !people.SequenceEqual(incident.Participants))
        {
            changes["participants"] = new { from = incident.Participants, to = people };
            incident.Participants = people;
        }
        if (change.Summary is not null && IncidentRules.Summary(change.Summary).Value is var summary && summary != incident.Summary)
        {
            changes["summary"] = new { from = incident.Summary, to = summary };
            incident.Summary = summary;
        }
        if (changes.Count > 0)
        {
            Append(db, incident, actor, IncidentEventKinds.Updated,
                $"{actor.Name} changed {string.Join(", ", changes.Keys)} of {IncidentName(incident)}", changes);
        }
    }

    private Refusal? ChangeTimes(OpsDbContext db, Incident incident, IncidentChange change, Actor actor)
    {
        SetTime(db, incident, "startedAt", Trim(change.StartedAt), i => i.StartedAt, (i, v) => i.StartedAt = v!.Value, actor);
        SetTime(db, incident, "detectedAt", Trim(change.DetectedAt), i => i.DetectedAt, (i, v) => i.DetectedAt = v, actor);
        if (change.AcknowledgedAt is { } acked && incident.AcknowledgedAt is null)
        {
            incident.AcknowledgedAt = Trim(acked);
            AddParticipant(incident, actor.Name);
            incident.Commander ??= actor.Name;
            Append(db, incident, actor, IncidentEventKinds.Acknowledged, $"{actor.Name} acknowledged {IncidentName(incident)}",
                new { at = incident.AcknowledgedAt });
        }
        else
        {
            SetTime(db, incident, "acknowledgedAt", Trim(change.AcknowledgedAt), i => i.AcknowledgedAt, (i, v) => i.AcknowledgedAt = v, actor);
        }
        if (change.MitigatedAt is not null && incident.Status < IncidentStatus.Mitigated)
        {
            return IncidentRules.Invalid($"mitigatedAt can be set once the incident is mitigated (it is {incident.Status}).");
        }
        if (change.ResolvedAt is not null && incident.Status != IncidentStatus.Resolved)
        {
            return IncidentRules.Invalid($"resolvedAt can be set once the incident is resolved (it is {incident.Status}).");
        }
        SetTime(db, incident, "mitigatedAt", Trim(change.MitigatedAt), i => i.MitigatedAt, (i, v) => i.MitigatedAt = v, actor);
        SetTime(db, incident, "resolvedAt", Trim(change.ResolvedAt), i => i.ResolvedAt, (i, v) => i.ResolvedAt = v, actor);
        return null;
    }

    private void SetTime(OpsDbContext db, Incident incident, string field, DateTimeOffset? value,
        Func<Incident, DateTimeOffset?> get, Action<Incident, DateTimeOffset?> set, Actor actor)
    {
        var old = get(incident);
        if (value is null || value == old)
        {
            return;
        }
        set(incident, value);
        Append(db, incident, actor, IncidentEventKinds.TimeEdited,
            $"{actor.Name} set {field} of #{incident.Id} to {IncidentRules.Iso(value.Value)}" + (old is { } o ? $" (was {IncidentRules.Iso(o)})" : ""),
            new { field, from = old, to = value });
    }

    private void Append(OpsDbContext db, Incident incident, Actor actor, string kind, string summary, object? payload) =>
        events.Append(db, actor.Name, kind, IncidentEventKinds.SubjectType, incident.Id.ToString(CultureInfo.InvariantCulture),
            Shorten(summary, 1000), incident.Services.FirstOrDefault(), payload);

    private static void AddParticipant(Incident incident, string person)
    {
        if (!incident.Participants.Contains(person, StringComparer.OrdinalIgnoreCase))
        {
            incident.Participants = [.. incident.Participants, person];
        }
    }

    public static string IncidentName(Incident i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return $"{Incident.SeverityName(i.Severity)} #{i.Id} \"{Shorten(i.Title, 120)}\"";
    }

    private static DateTimeOffset? Trim(DateTimeOffset? t) => t is { } v ? IncidentRules.Trim(v) : null;

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
