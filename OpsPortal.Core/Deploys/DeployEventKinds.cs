namespace OpsPortal.Core.Deploys;

public static class DeployEventKinds
{
    public const string Queued = "deploy.queued";
    public const string Started = "deploy.started";
    public const string Succeeded = "deploy.succeeded";
    public const string Failed = "deploy.failed";
    public const string Cancelled = "deploy.cancelled";
    public const string Interrupted = "deploy.interrupted";
    public const string CancelRequested = "deploy.cancel_requested";
    public const string Locked = "deploy.locked";
    public const string Unlocked = "deploy.unlocked";

    /// <summary>The subject type of deploy events (subject id: the deploy id, or the lock's target).</summary>
    public const string Subject = "deploy";
    public const string LockSubject = "deploy_lock";

    internal static string Finished(string status) => status switch
    {
        DeployStatus.Succeeded => Succeeded,
        DeployStatus.Cancelled => Cancelled,
        DeployStatus.Interrupted => Interrupted,
        _ => Failed,
    };
}
