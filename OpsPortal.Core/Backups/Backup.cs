namespace OpsPortal.Core.Backups;

internal static class BackupStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsActive(string status) => status is Queued or Running;
}

/// <summary>One backup of a target: a <c>pg_dump -Fc</c> file with its sha256, size and the row counts at backup time.</summary>
public class Backup
{
    public long Id { get; set; }
    public long TargetId { get; set; }
    public string Method { get; set; } = BackupMethods.PgDump;
    public string Status { get; set; } = BackupStatus.Queued;

    /// <summary>manual, schedule or demo.</summary>
    public required string Trigger { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>pgBackRest: the backup's label in the repository (e.g. 20261205-083907F); null for pg_dump.</summary>
    public string? Label { get; set; }

    /// <summary>The file's absolute path (pgBackRest: the backup's folder in the repository): shown to Admins only.</summary>
    public string? Location { get; set; }
    public long? SizeBytes { get; set; }
    /// <summary>pg_dump: the file's sha256. pgBackRest: the sha256 of the backup's manifest, which lists every file's own checksum that pgBackRest verifies at restore.</summary>
    public string? Sha256 { get; set; }

    /// <summary>Rows per table ("schema.table") counted in the dump's own snapshot, for the drills' row-count check.</summary>
    public Dictionary<string, long> RowCounts { get; set; } = [];
    public string? Error { get; set; }

    /// <summary>Set when retention deleted the file; the row stays (history is kept).</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}
