using OpsPortal.Core.Data;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>
/// What a feature asks <see cref="Paging.PageAsync"/> to page: the subject (acknowledging the page acknowledges
/// it), the service whose escalation policy applies, and what the message says.
/// </summary>
/// <param name="SubjectType"><c>alert</c> (id: the alert instance) or <c>incident</c> (id: the incident); an <see cref="IPageSubject"/> of that type is told of an acknowledgement.</param>
/// <param name="Severity">A <see cref="NotificationSeverity"/>, normally critical.</param>
/// <param name="Summary">One line: what is wrong (the message's subject line).</param>
/// <param name="Links">The alert or incident, the runbook; paths starting with '/' are made absolute.</param>
/// <param name="Detail">More lines for the message body (value vs threshold, since when).</param>
/// <param name="EventSubjectType">The spine subject whose timeline shows the page, when it is not the subject itself (an alert's events are on its rule).</param>
public sealed record PageRequest(
    string SubjectType,
    string SubjectId,
    string Service,
    string Severity,
    string Summary,
    IReadOnlyList<NotificationLink> Links,
    string? Detail = null,
    string? EventSubjectType = null,
    string? EventSubjectId = null)
{
    public const int MaxSummary = 300;
    public const int MaxDetail = 4000;
}

/// <summary>What <see cref="Paging.PageAsync"/> did: opened a page, found one already open for the subject, or paged nobody (and why).</summary>
public sealed record PageOutcome(long? PageId, bool Opened, string Reason);

/// <summary>
/// A feature whose subjects can be paged (alerts, incidents) implements this, so that acknowledging a page (by the
/// link, in the app, through the API) acknowledges the subject in the same transaction — MTTA is then measured from
/// the real page. Register it as a singleton <c>IPageSubject</c>.
/// </summary>
public interface IPageSubject
{
    string SubjectType { get; }

    /// <summary>Acknowledge the subject on the caller's context (not saved here); an already acknowledged or unknown subject is left as it is.</summary>
    Task AcknowledgeAsync(OpsDbContext db, string subjectId, string person, DateTimeOffset at, CancellationToken ct);
}
