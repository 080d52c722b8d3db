namespace OpsPortal.Core.Dashboards;

/// <summary>Event kinds of dashboards (subject type <c>dashboard</c>, subject id the dashboard id).</summary>
public static class DashboardEventKinds
{
    public const string SubjectType = "dashboard";
    public const string Created = "dashboard.created";
    public const string Updated = "dashboard.updated";
    public const string Deleted = "dashboard.deleted";
}
