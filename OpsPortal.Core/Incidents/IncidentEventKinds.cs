namespace OpsPortal.Core.Incidents;

public static class IncidentEventKinds
{
    public const string SubjectType = "incident";

    public const string Declared = "incident.declared";
    public const string Acknowledged = "incident.acknowledged";
    public const string Identified = "incident.identified";
    public const string Mitigated = "incident.mitigated";
    public const string Resolved = "incident.resolved";
    public const string Reopened = "incident.reopened";
    public const string Updated = "incident.updated";
    public const string TimeEdited = "incident.time_edited";
    public const string NoteAdded = "incident.note_added";
    public const string Pinned = "incident.pinned";
    public const string Unpinned = "incident.unpinned";
    public const string PostmortemCreated = "incident.postmortem_created";

    /// <summary>A ticket was made from an action item of the postmortem.</summary>
    public const string ActionItemTicketed = "incident.action_item_ticketed";

    /// <summary>A deploy went ahead while a SEV1/SEV2 incident was open on the service (written by the deploy guard).</summary>
    public const string DeployOverride = "incident.deploy_override";

    internal static string ForStatus(IncidentStatus status) => status switch
    {
        IncidentStatus.Identified => Identified,
        IncidentStatus.Mitigated => Mitigated,
        IncidentStatus.Resolved => Resolved,
        _ => Reopened,
    };
}
