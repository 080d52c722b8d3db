namespace OpsPortal.Core.Backups;

/// <summary>
/// A database the portal backs up: the portal's own (built in, <see cref="BuiltIn"/>) or one the team names, whose
/// connection string is stored encrypted (<see cref="ProtectedConnectionString"/>) and never shown back.
/// </summary>
public class BackupTarget
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary>True for the portal's own database: its connection comes from the portal's configuration.</summary>
    public bool BuiltIn { get; set; }

    /// <summary>The connection string, encrypted with the data-protection keys; null for the built-in target.</summary>
    public string? ProtectedConnectionString { get; set; }

    /// <summary>Host, port and database of the connection (no user, no password): what pages show.</summary>
    public string Server { get; set; } = "";

    /// <summary><see cref="BackupMethods.PgDump"/> (a logical dump file) or <see cref="BackupMethods.PgBackRest"/> (a physical backup of a stanza).</summary>
    public string Method { get; set; } = BackupMethods.PgDump;

    /// <summary>pgBackRest: the stanza backed up (the cluster the connection string reaches).</summary>
    public string? Stanza { get; set; }

    /// <summary>pgBackRest: absolute path of the pgbackrest.conf that defines the stanza and its repository.</summary>
    public string? PgBackRestConfig { get; set; }

    /// <summary>Absolute folder the dump files go to (a sub-folder per target); unused by pgBackRest (its repository holds the backups).</summary>
    public required string Destination { get; set; }

    /// <summary>Cron expression (UTC) of scheduled backups; null = on demand only.</summary>
    public string? Schedule { get; set; }

    /// <summary>Cron expression (UTC) of scheduled restore drills of the latest good backup; null = on demand only.</summary>
    public string? DrillSchedule { get; set; }

    public int KeepDaily { get; set; } = 7;
    public int KeepWeekly { get; set; } = 4;
    public int KeepMonthly { get; set; } = 6;

    /// <summary>A target whose last good backup is older than this is stale.</summary>
    public int BackupMaxAgeHours { get; set; } = 26;

    /// <summary>A target whose last passed drill is older than this is stale.</summary>
    public int DrillMaxAgeHours { get; set; } = 8 * 24;

    public BackupChecks Checks { get; set; } = new();

    /// <summary>Set by the staleness sweep while the target has a problem (so it is announced once, and its end too).</summary>
    public DateTimeOffset? StaleSince { get; set; }
    public string? StaleReason { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>How a target is backed up.</summary>
public static class BackupMethods
{
    /// <summary><c>pg_dump -Fc</c> to a file, restored with pg_restore into a scratch database.</summary>
    public const string PgDump = "pg_dump";

    /// <summary><c>pgbackrest backup</c> of a stanza, restored with <c>pgbackrest restore</c> into a scratch cluster.</summary>
    public const string PgBackRest = "pgbackrest";

    public static bool IsKnown(string? method) => method is PgDump or PgBackRest;
}

/// <summary>What a restore drill checks on the restored copy.</summary>
public sealed class BackupChecks
{
    /// <summary>Each table's restored row count may differ from the count recorded at backup time by this much (percent).</summary>
    public double RowCountTolerancePercent { get; set; }

    public List<FreshnessCheck> Freshness { get; set; } = [];

    public List<SqlAssertion> Assertions { get; set; } = [];
}

/// <summary><c>max(Column)</c> of <c>Table</c> must be at most <c>MaxAgeHours</c> older than the backup.</summary>
public sealed record FreshnessCheck(string Table, string Column, int MaxAgeHours);

/// <summary>A query of the team's, run read-only on the restored copy: its first column of its first row must be true.</summary>
public sealed record SqlAssertion(string Name, string Sql);
