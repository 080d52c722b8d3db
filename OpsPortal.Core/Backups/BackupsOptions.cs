namespace OpsPortal.Core.Backups;

public sealed class BackupsOptions
{
    public const string Section = "OpsPortal:Backups";

    /// <summary>Where the portal's own backups go, and the default destination of new targets (absolute).</summary>
    public string Folder { get; set; } = "/var/lib/opsportal/backups";

    /// <summary>Folder of pg_dump/pg_restore; empty = the newest /usr/lib/postgresql/N/bin, else /usr/bin.</summary>
    public string? PgBin { get; set; }

    /// <summary>
    /// Admin connection string of the PostgreSQL that drills restore into (a scratch database is created and
    /// dropped there); empty = the target's own server. The user needs CREATEDB.
    /// </summary>
    public string? ScratchServer { get; set; }

    /// <summary>The pgbackrest program (pgBackRest targets).</summary>
    public string PgBackRest { get; set; } = "/usr/bin/pgbackrest";

    /// <summary>
    /// The OS user pgbackrest and the drills' scratch clusters run as (through runuser), when the portal runs as root:
    /// PostgreSQL refuses to run as root, and the repository belongs to the cluster's user. Empty = the portal's own user.
    /// </summary>
    public string? PgBackRestUser { get; set; }

    /// <summary>Where pgBackRest drills restore their scratch clusters (a folder per drill, removed after); empty = <c>Folder/scratch</c>.</summary>
    public string? ScratchClusterFolder { get; set; }

    /// <summary>A backup is refused when the destination would have less than this left (beyond the expected dump size).</summary>
    public int MinFreeMegabytes { get; set; } = 256;

    /// <summary>Parallel jobs of pg_restore in a drill (custom-format dumps restore in parallel).</summary>
    public int RestoreJobs { get; set; } = 2;

    public TimeSpan BackupTimeout { get; set; } = TimeSpan.FromHours(6);
    public TimeSpan DrillTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The built-in target's schedules when it is first created (UTC cron).</summary>
    public string PortalSchedule { get; set; } = "0 2 * * *";
    public string PortalDrillSchedule { get; set; } = "30 3 * * *";
}
