using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Core.Incidents;

/// <summary>
/// Declaring and running incidents. Scoped: it shares the request's <see cref="OpsDbContext"/> with the
/// ticket hook, so an incident, its ticket and their events commit in one transaction. Callers have
/// checked the Engineer role; every method writes its events with the change.
/// </summary>
public sealed class IncidentService(OpsDbContext db, EventLog events, TimeProvider clock, TicketHook tickets)
{
    public async Task<Incident> DeclareAsync(DeclareIncident request, string actor, CancellationToken ct = default)
    {
        var now = IncidentRules.Trim(clock.GetUtcNow());
        var detected = Trim(request.DetectedAt) ?? now;
        var incident = new Incident
        {
            Title = IncidentRules.Title(request.Title),
            Severity = IncidentRules.ParseSeverity(request.Severity),
            Services = IncidentRules.Services(request.Services),
            Summary = Summary(request.Summary),
            Commander = string.IsNullOrWhiteSpace(request.Commander) ? actor : request.Commander.Trim(),
            Participants = IncidentRules.People([actor, .. request.Participants ?? []]),
            StartedAt = Trim(request.StartedAt) ?? (detected < now ? detected : now),
            DetectedAt = detected,
            AcknowledgedAt = Trim(request.AcknowledgedAt),
            MitigatedAt = Trim(request.MitigatedAt),
            ResolvedAt = Trim(request.ResolvedAt),
            LogQuery = string.IsNullOrWhiteSpace(request.LogQuery) ? null : request.LogQuery.Trim(),
            LogFrom = Trim(request.LogFrom),
            LogTo = Trim(request.LogTo),
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        incident.Status = incident.ResolvedAt is not null ? IncidentStatus.Resolved
            : incident.MitigatedAt is not null ? IncidentStatus.Mitigated
            : IncidentStatus.Investigating;
        if (incident.LogQuery is { Length: > 4000 })
        {
            throw new IncidentException("The attached log query is longer than 4000 characters.");
        }
        if (incident.LogFrom is { } from && incident.LogTo is { } to && from >= to)
        {
            throw new IncidentException("The attached log time range must start before it ends.");
        }
        IncidentRules.CheckTimes(incident, now);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        incident.TicketKey = (await TicketForAsync(incident, request.Ticket, actor, ct)).Key;
        Append(incident, actor, IncidentEventKinds.Declared,
            $"{actor} declared {IncidentName(incident)} on {string.Join(", ", incident.Services)}",
            new { startedAt = incident.StartedAt, severity = Incident.SeverityName(incident.Severity), incident.Services, incident.LogQuery, ticket = incident.TicketKey });
        if (incident.AcknowledgedAt is { } acked)
        {
            Append(incident, actor, IncidentEventKinds.Acknowledged, $"{IncidentName(incident)} acknowledged", new { at = acked });
        }
        if (incident.MitigatedAt is { } mitigated)
        {
            Append(incident, actor, IncidentEventKinds.Mitigated, $"{IncidentName(incident)} mitigated", new { at = mitigated });
        }
        if (incident.ResolvedAt is { } resolved)
        {
            Append(incident, actor, IncidentEventKinds.Resolved, $"{IncidentName(incident)} resolved", new { at = resolved });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return incident;
    }

    /// <summary>Acknowledges now; acknowledging twice changes nothing (editing the time is <see cref="UpdateAsync"/>).</summary>
    public async Task<Incident> AcknowledgeAsync(long id, string actor, CancellationToken ct = default)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new KeyNotFoundException($"Incident {id} does not exist.");
        return incident.AcknowledgedAt is null
            ? await UpdateAsync(id, new IncidentChange { AcknowledgedAt = clock.GetUtcNow() }, actor, ct)
            : incident;
    }

    public async Task<Incident> SetStatusAsync(long id, IncidentStatus status, string actor, CancellationToken ct = default) =>
        await UpdateAsync(id, new IncidentChange { Status = status.ToString() }, actor, ct);

    /// <summary>Applies a change: status first (its time, when given, is when it happened), then the other fields and times.</summary>
    public async Task<Incident> UpdateAsync(long id, IncidentChange change, string actor, CancellationToken ct = default)
    {
        var now = IncidentRules.Trim(clock.GetUtcNow());
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new KeyNotFoundException($"Incident {id} does not exist.");

        var before = incident.Status;
        if (change.Status is not null)
        {
            ChangeStatus(incident, IncidentRules.ParseStatus(change.Status), change, now, actor);
        }
        ChangeFields(incident, change, actor);
        ChangeTimes(incident, change, actor);
        IncidentRules.CheckTimes(incident, now);
        incident.UpdatedAt = now;
        if (incident.TicketKey is { } key && (before == IncidentStatus.Resolved) != (incident.Status == IncidentStatus.Resolved))
        {
            // The ticket follows the incident: resolved with it, reopened with it.
            var resolved = incident.Status == IncidentStatus.Resolved;
            await tickets.RecordOutcomeAsync(db, key, resolved,
                resolved ? $"Incident #{incident.Id} resolved." : $"Incident #{incident.Id} reopened: the resolution did not hold.",
                new Auth.Actor(actor, Auth.Roles.Engineer), ct);
        }
        await db.SaveChangesAsync(ct);
        return incident;
    }

    public async Task<IncidentNote> AddNoteAsync(long id, string text, DateTimeOffset? at, string actor, CancellationToken ct = default)
    {
        var now = IncidentRules.Trim(clock.GetUtcNow());
        text = text?.Trim() ?? "";
        if (text.Length is 0 or > IncidentRules.MaxNote)
        {
            throw new IncidentException($"A note needs 1 to {IncidentRules.MaxNote} characters.");
        }
        var when = Trim(at) ?? now;
        if (when > now + IncidentRules.FutureTolerance)
        {
            throw new IncidentException($"The note's time ({IncidentRules.Iso(when)}) is in the future.");
        }
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new KeyNotFoundException($"Incident {id} does not exist.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var note = db.IncidentNotes.Add(new IncidentNote { IncidentId = id, At = when, Author = actor, Text = text, CreatedAt = now }).Entity;
        AddParticipant(incident, actor);
        incident.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        Append(incident, actor, IncidentEventKinds.NoteAdded, $"{actor} noted on #{id}: {Shorten(text, 200)}",
            new { at = when, noteId = note.Id, text });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return note;
    }

    /// <summary>Pins (or unpins) one event of the incident's timeline as a key moment.</summary>
    public async Task SetPinnedAsync(long id, long eventId, bool pinned, string actor, CancellationToken ct = default)
    {
        var incident = await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new KeyNotFoundException($"Incident {id} does not exist.");
        var ev = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct)
            ?? throw new IncidentException($"Event {eventId} does not exist.");
        var existing = await db.IncidentPins.SingleOrDefaultAsync(p => p.IncidentId == id && p.EventId == eventId, ct);
        if (pinned == (existing is not null))
        {
            return;
        }
        if (pinned)
        {
            db.IncidentPins.Add(new IncidentPin { IncidentId = id, EventId = eventId, PinnedBy = actor, PinnedAt = clock.GetUtcNow() });
        }
        else
        {
            db.IncidentPins.Remove(existing!);
        }
        Append(incident, actor, pinned ? IncidentEventKinds.Pinned : IncidentEventKinds.Unpinned,
            $"{actor} {(pinned ? "pinned" : "unpinned")} a key moment of #{id}: {Shorten(ev.Summary, 200)}", new { eventId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Links the ticket it was declared from, or creates one of type incident.</summary>
    private async Task<LinkedTicket> TicketForAsync(Incident incident, string? fromTicket, string actor, CancellationToken ct)
    {
        var id = incident.Id.ToString(CultureInfo.InvariantCulture);
        var who = new Auth.Actor(actor, Auth.Roles.Engineer);
        if (!string.IsNullOrWhiteSpace(fromTicket))
        {
            var linked = await tickets.LinkAsync(db, fromTicket.Trim(), TicketLinkTargets.Incident, id, who, ct);
            return linked.Succeeded ? linked.Value : throw new IncidentException(linked.Refusal.Detail);
        }
        var title = $"{Incident.SeverityName(incident.Severity)}: {incident.Title}";
        var description = $"Incident #{id} on {string.Join(", ", incident.Services)}, impact since {IncidentRules.Iso(incident.StartedAt)}."
            + (incident.Summary is { } summary ? "\n\n" + summary : "");
        var created = await tickets.CreateForAsync(db, new LinkedTicketRequest("incident", Shorten(title, TicketRules.MaxTitleLength),
            Shorten(description, TicketRules.MaxBodyLength), incident.Services[0], "P" + (int)incident.Severity,
            TicketLinkTargets.Incident, id), who, ct);
        return created.Succeeded ? created.Value : throw new IncidentException("The incident's ticket: " + created.Refusal.Detail);
    }

    private void ChangeStatus(Incident incident, IncidentStatus target, IncidentChange change, DateTimeOffset now, string actor)
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
        AddParticipant(incident, actor);
        var kind = from == IncidentStatus.Resolved || target < from ? IncidentEventKinds.Reopened : IncidentEventKinds.ForStatus(target);
        var verb = kind == IncidentEventKinds.Reopened ? $"reopened ({target})" : target.ToString().ToLowerInvariant();
        Append(incident, actor, kind, $"{actor}: {IncidentName(incident)} {verb}",
            new { at, from = from.ToString(), to = target.ToString(), cleared });
    }

    private void ChangeFields(Incident incident, IncidentChange change, string actor)
    {
        var changes = new Dictionary<string, object?>();
        if (change.Title is not null && IncidentRules.Title(change.Title) is var title && title != incident.Title)
        {
            changes["title"] = new { from = incident.Title, to = title };
            incident.Title = title;
        }
        if (change.Severity is not null && IncidentRules.ParseSeverity(change.Severity) is var severity && severity != incident.Severity)
        {
            changes["severity"] = new { from = Incident.SeverityName(incident.Severity), to = Incident.SeverityName(severity) };
            incident.Severity = severity;
        }
        if (change.Services is not null && IncidentRules.Services(change.Services) is var services && !services.SequenceEqual(incident.Services))
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
        if (change.Summary is not null && Summary(change.Summary) is var summary && summary != incident.Summary)
        {
            changes["summary"] = new { from = incident.Summary, to = summary };
            incident.Summary = summary;
        }
        if (changes.Count > 0)
        {
            Append(incident, actor, IncidentEventKinds.Updated,
                $"{actor} changed {string.Join(", ", changes.Keys)} of {IncidentName(incident)}", changes);
        }
    }

    private void ChangeTimes(Incident incident, IncidentChange change, string actor)
    {
        SetTime(incident, "startedAt", Trim(change.StartedAt), i => i.StartedAt, (i, v) => i.StartedAt = v!.Value, actor);
        SetTime(incident, "detectedAt", Trim(change.DetectedAt), i => i.DetectedAt, (i, v) => i.DetectedAt = v, actor);
        if (change.AcknowledgedAt is { } acked && incident.AcknowledgedAt is null)
        {
            incident.AcknowledgedAt = Trim(acked);
            AddParticipant(incident, actor);
            incident.Commander ??= actor;
            Append(incident, actor, IncidentEventKinds.Acknowledged, $"{actor} acknowledged {IncidentName(incident)}",
                new { at = incident.AcknowledgedAt });
        }
        else
        {
            SetTime(incident, "acknowledgedAt", Trim(change.AcknowledgedAt), i => i.AcknowledgedAt, (i, v) => i.AcknowledgedAt = v, actor);
        }
        if (change.MitigatedAt is not null && incident.Status < IncidentStatus.Mitigated)
        {
            throw new IncidentException($"mitigatedAt can be set once the incident is mitigated (it is {incident.Status}).");
        }
        if (change.ResolvedAt is not null && incident.Status != IncidentStatus.Resolved)
        {
            throw new IncidentException($"resolvedAt can be set once the incident is resolved (it is {incident.Status}).");
        }
        SetTime(incident, "mitigatedAt", Trim(change.MitigatedAt), i => i.MitigatedAt, (i, v) => i.MitigatedAt = v, actor);
        SetTime(incident, "resolvedAt", Trim(change.ResolvedAt), i => i.ResolvedAt, (i, v) => i.ResolvedAt = v, actor);
    }

    private void SetTime(Incident incident, string field, DateTimeOffset? value,
        Func<Incident, DateTimeOffset?> get, Action<Incident, DateTimeOffset?> set, string actor)
    {
        var old = get(incident);
        if (value is null || value == old)
        {
            return;
        }
        set(incident, value);
        Append(incident, actor, IncidentEventKinds.TimeEdited,
            $"{actor} set {field} of #{incident.Id} to {IncidentRules.Iso(value.Value)}" + (old is { } o ? $" (was {IncidentRules.Iso(o)})" : ""),
            new { field, from = old, to = value });
    }

    private void Append(Incident incident, string actor, string kind, string summary, object? payload) =>
        events.Append(db, actor, kind, IncidentEventKinds.SubjectType, incident.Id.ToString(CultureInfo.InvariantCulture),
            Shorten(summary, 1000), incident.Services.FirstOrDefault(), payload);

    private static void AddParticipant(Incident incident, string person)
    {
        if (!incident.Participants.Contains(person, StringComparer.OrdinalIgnoreCase))
        {
            incident.Participants = [.. incident.Participants, person];
        }
    }

    public static string IncidentName(Incident i) => $"{Incident.SeverityName(i.Severity)} #{i.Id} \"{Shorten(i.Title, 120)}\"";

    private static string? Summary(string? text)
    {
        var s = text?.Trim();
        if (s is { Length: > IncidentRules.MaxSummary })
        {
            throw new IncidentException($"The summary is longer than {IncidentRules.MaxSummary} characters.");
        }
        return string.IsNullOrEmpty(s) ? null : s;
    }

    private static DateTimeOffset? Trim(DateTimeOffset? t) => t is { } v ? IncidentRules.Trim(v) : null;

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
