namespace OpsPortal.Core.Backups;

/// <summary>Events of backups. Subject: the target (type <c>backup_target</c>, id the target id), so one page follows all of them.</summary>
public static class BackupEventKinds
{
    public const string SubjectType = "backup_target";
    public const string TargetCreated = "backups.target_created";
    public const string TargetUpdated = "backups.target_updated";
    public const string BackupQueued = "backups.backup_queued";
    public const string BackupStarted = "backups.backup_started";
    public const string BackupSucceeded = "backups.backup_succeeded";
    public const string BackupFailed = "backups.backup_failed";
    public const string BackupsPruned = "backups.files_pruned";
    public const string DrillQueued = "backups.drill_queued";
    public const string DrillStepChanged = "backups.drill_step_changed";
    public const string DrillPassed = "backups.drill_passed";
    public const string DrillFailed = "backups.drill_failed";
    public const string WentStale = "backups.target_went_stale";
    public const string Recovered = "backups.target_recovered";
}
