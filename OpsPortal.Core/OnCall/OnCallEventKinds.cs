namespace OpsPortal.Core.OnCall;

/// <summary>
/// Events of schedules, escalation policies and pages. Page events go on the paged subject's own timeline (the
/// incident's or the alert's subject, with <c>pageId</c> in the payload), so the review shows who was woken when.
/// </summary>
public static class OnCallEventKinds
{
    public const string ScheduleSubjectType = "oncall-schedule";
    public const string PolicySubjectType = "escalation-policy";

    public const string ScheduleCreated = "oncall.schedule_created";
    public const string ScheduleUpdated = "oncall.schedule_updated";
    public const string ScheduleDeleted = "oncall.schedule_deleted";
    public const string OverrideAdded = "oncall.override_added";
    public const string OverrideRemoved = "oncall.override_removed";
    public const string PolicyCreated = "oncall.policy_created";
    public const string PolicyUpdated = "oncall.policy_updated";
    public const string PolicyDeleted = "oncall.policy_deleted";

    /// <summary>A page was opened by the subject's policy (payload: pageId, policy).</summary>
    public const string PageOpened = "page.opened";

    /// <summary>A level's people and channels were sent the page (payload: pageId, level, cycle, people, destinations).</summary>
    public const string PageNotified = "page.notified";

    /// <summary>Nobody acknowledged within the level's timeout: the next level is paged.</summary>
    public const string PageEscalated = "page.escalated";

    public const string PageAcknowledged = "page.acknowledged";

    /// <summary>The subject recovered or was resolved: no more escalation.</summary>
    public const string PageResolved = "page.resolved";

    /// <summary>Every level of every repeat was paged and nobody acknowledged.</summary>
    public const string PageExhausted = "page.exhausted";

    /// <summary>Nothing was paged: no escalation policy applies to the service.</summary>
    public const string PageSkipped = "page.skipped";
}
