using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall.Escalation;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>
/// The seam between what goes wrong (alerts, incidents) and who is woken. <see cref="PageAsync"/> opens a page on
/// the caller's context, so the page, its first notifications and its events commit with the caller's change or
/// not at all; <see cref="PageEscalator"/> moves unacknowledged pages on; acknowledging (here, by link in
/// <see cref="PageAcknowledgements"/>, or through the subject's own acknowledge) ends the escalation.
/// </summary>
public sealed class Paging(EscalationPolicies policies, PageNotifier notifier, EventLog events, TimeProvider clock)
{
    /// <summary>
    /// Pages <paramref name="request"/>'s subject through its service's escalation policy: level 1 now. Idempotent per
    /// subject: while a page of the subject is unresolved, it is returned and nothing new is paged. Without a policy,
    /// nothing is paged and a <c>page.skipped</c> event says why. The caller saves.
    /// </summary>
    public async Task<PageOutcome> PageAsync(OpsDbContext db, PageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(request);
        if (!NotificationSeverity.IsValid(request.Severity) || string.IsNullOrWhiteSpace(request.Summary)
            || string.IsNullOrWhiteSpace(request.SubjectType) || string.IsNullOrWhiteSpace(request.SubjectId) || string.IsNullOrWhiteSpace(request.Service))
        {
            throw new ArgumentException("A page needs a subject, a service, a summary and a notification severity.", nameof(request));
        }
        var open = await db.Set<Page>().AsNoTracking()
            .Where(p => p.SubjectType == request.SubjectType && p.SubjectId == request.SubjectId && p.Status != PageStatus.Resolved)
            .Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
        if (open is { } existing)
        {
            return new PageOutcome(existing, false, $"page {existing} of the {request.SubjectType} is still open");
        }
        var eventType = request.EventSubjectType ?? request.SubjectType;
        var eventId = request.EventSubjectId ?? request.SubjectId;
        var choice = await policies.ForServiceAsync(db, request.Service, ct);
        if (choice.Policy is not { } policy)
        {
            events.Append(db, PageNotifier.Actor, OnCallEventKinds.PageSkipped, eventType, eventId,
                PageNotifier.Cut($"Nobody paged for \"{request.Summary}\": {choice.Reason}", 1000), request.Service, new { reason = choice.Reason });
            return new PageOutcome(null, false, choice.Reason);
        }
        var now = clock.GetUtcNow();
        var page = new Page
        {
            SubjectType = request.SubjectType,
            SubjectId = request.SubjectId,
            EventSubjectType = eventType,
            EventSubjectId = eventId,
            Service = request.Service,
            Severity = request.Severity,
            Summary = PageNotifier.Cut(request.Summary.ReplaceLineEndings(" ").Trim(), PageRequest.MaxSummary),
            Detail = request.Detail is null ? null : PageNotifier.Cut(request.Detail, PageRequest.MaxDetail),
            Links = [.. request.Links],
            PolicyId = policy.Id,
            PolicyName = policy.Name,
            Levels = policy.Levels,
            Repeat = policy.Repeat,
            Status = PageStatus.Triggered,
            OpenedAt = now,
        };
        // AddAsync draws the id from the hi-lo sequence now: the events and notifications below name the page before the caller saves.
        await db.Set<Page>().AddAsync(page, ct);
        events.Append(db, PageNotifier.Actor, OnCallEventKinds.PageOpened, eventType, eventId,
            PageNotifier.Cut($"Page {page.Id} opened for \"{page.Summary}\": {choice.Reason}", 1000), page.Service,
            new { pageId = page.Id, policy = policy.Name, policyId = policy.Id, subjectType = page.SubjectType, subjectId = page.SubjectId });
        await notifier.NotifyLevelAsync(db, page, now, ct);
        return new PageOutcome(page.Id, true, choice.Reason);
    }

    /// <summary>Moves a due page on (the escalator calls this with the page's row locked): the next level, the next round, or exhausted.</summary>
    internal async Task EscalateAsync(OpsDbContext db, Page page, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(page);
        var from = page.Level + 1;
        if (page.Level + 1 < page.Levels.Count)
        {
            page.Level++;
        }
        else if (page.Cycle < page.Repeat)
        {
            (page.Level, page.Cycle) = (0, page.Cycle + 1);
        }
        else
        {
            page.ExhaustedAt = now;
            page.NextEscalationAt = null;
            events.Append(db, PageNotifier.Actor, OnCallEventKinds.PageExhausted, page.EventSubjectType, page.EventSubjectId,
                PageNotifier.Cut($"Page {page.Id} \"{page.Summary}\": every level of {page.PolicyName} was paged and nobody acknowledged", 1000),
                page.Service, new { pageId = page.Id });
            return;
        }
        events.Append(db, PageNotifier.Actor, OnCallEventKinds.PageEscalated, page.EventSubjectType, page.EventSubjectId,
            PageNotifier.Cut($"Page {page.Id} not acknowledged at level {from}: escalating to level {page.Level + 1}"
                + (page.Cycle > 0 && page.Level == 0 ? $" (round {page.Cycle + 1} of {page.Repeat + 1})" : ""), 1000),
            page.Service, new { pageId = page.Id, fromLevel = from, toLevel = page.Level + 1, cycle = page.Cycle + 1 });
        await notifier.NotifyLevelAsync(db, page, now, ct);
    }

    /// <summary>
    /// The subject was acknowledged in its own feature (the incident's or the alert's acknowledge): its unresolved,
    /// triggered page is acknowledged with it, in the caller's transaction. Returns the page, if there was one to acknowledge.
    /// </summary>
    public async Task<Page?> AcknowledgeSubjectAsync(OpsDbContext db, string subjectType, string subjectId, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        RequireTransaction(db);
        var page = await LockOpenAsync(db, subjectType, subjectId, ct);
        if (page is null || page.Status != PageStatus.Triggered)
        {
            return null;
        }
        Acknowledge(db, page, actor.Name, subjectType, clock.GetUtcNow());
        return page;
    }

    /// <summary>The subject recovered or was resolved: its page stops escalating, in the caller's transaction.</summary>
    public async Task<Page?> ResolveSubjectAsync(OpsDbContext db, string subjectType, string subjectId, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        RequireTransaction(db);
        if (await LockOpenAsync(db, subjectType, subjectId, ct) is not { } page)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        (page.Status, page.ResolvedAt, page.ResolvedBy, page.NextEscalationAt) = (PageStatus.Resolved, now, actor.Name, null);
        events.Append(db, actor.Name, OnCallEventKinds.PageResolved, page.EventSubjectType, page.EventSubjectId,
            PageNotifier.Cut($"Page {page.Id} closed: the {subjectType} {(subjectType == "alert" ? "recovered" : "was resolved")}", 1000), page.Service,
            new { pageId = page.Id });
        return page;
    }

    /// <summary>Marks the page acknowledged and writes the event; the caller acknowledges the subject when the page came first.</summary>
    internal void Acknowledge(OpsDbContext db, Page page, string person, string via, DateTimeOffset at)
    {
        (page.Status, page.AcknowledgedAt, page.AcknowledgedBy, page.AcknowledgedVia, page.NextEscalationAt) = (PageStatus.Acknowledged, at, person, via, null);
        var after = at - page.OpenedAt;
        events.Append(db, person, OnCallEventKinds.PageAcknowledged, page.EventSubjectType, page.EventSubjectId,
            PageNotifier.Cut($"{person} acknowledged page {page.Id} ({via}) {Minutes(after)} after it opened: \"{page.Summary}\"", 1000), page.Service,
            new { pageId = page.Id, via, at, seconds = Math.Round(after.TotalSeconds), level = page.Level + 1 });
    }

    private static async Task<Page?> LockOpenAsync(OpsDbContext db, string subjectType, string subjectId, CancellationToken ct) =>
        await db.Set<Page>().FromSql(
                $"SELECT * FROM pages WHERE subject_type = {subjectType} AND subject_id = {subjectId} AND status <> 'Resolved' FOR UPDATE")
            .SingleOrDefaultAsync(ct);

    private static void RequireTransaction(OpsDbContext db)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Acknowledge or resolve a page inside the caller's transaction (it locks the page's row).");
        }
    }

    private static string Minutes(TimeSpan t) => t < TimeSpan.FromMinutes(1)
        ? $"{Math.Max(0, t.TotalSeconds).ToString("0", CultureInfo.InvariantCulture)} s"
        : $"{t.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";
}
