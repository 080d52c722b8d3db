using System.Globalization;
using System.Security.Cryptography;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Backups;

/// <summary>
/// Queues and runs backups: <c>pg_dump -Fc</c> through the process launcher, in a snapshot whose table row
/// counts are recorded for the drills; the file written aside and renamed when whole, then hashed; retention after.
/// One backup of a target at a time across nodes (a unique index on active rows, and a session lock while running).
/// </summary>
public sealed partial class BackupRunner(
    IDbContextFactory<OpsDbContext> dbs,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    BackupTargets targets,
    BackupRetention retention,
    BackupHealth health,
    ProcessLauncher launcher,
    PgTools tools,
    PgBackRest pgBackRest,
    IBackgroundJobClient jobs,
    IOptions<BackupsOptions> options,
    EventLog events,
    TimeProvider clock,
    ILogger<BackupRunner> logger)
{
    /// <summary>Records a queued backup and hands it to a job worker (any node); refused while one of the target is queued or running.</summary>
    public async Task<Result<Backup>> QueueAsync(Actor actor, long targetId, string trigger, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var target = await db.BackupTargets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == targetId, ct);
        if (target is null)
        {
            return BackupRefusals.TargetNotFound(targetId);
        }
        var backup = new Backup { TargetId = targetId, Trigger = trigger, RequestedBy = actor.Name, QueuedAt = clock.GetUtcNow() };
        db.Backups.Add(backup);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"A backup of {target.Name} is already queued or running; one at a time.");
        }
        events.Append(db, actor.Name, BackupEventKinds.BackupQueued, BackupEventKinds.SubjectType, Id(targetId), $"Backup #{backup.Id} of {target.Name} queued");
        await db.SaveChangesAsync(ct);
        jobs.Enqueue<BackupJobs>(j => j.RunBackupAsync(backup.Id, CancellationToken.None));
        return backup;
    }

    /// <summary>Runs a queued backup to its end; a backup that is not queued (run already, or by another worker) is left alone.</summary>
    internal async Task RunAsync(long backupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var backup = await db.Backups.FirstOrDefaultAsync(b => b.Id == backupId, ct);
        if (backup is not { Status: BackupStatus.Queued })
        {
            return;
        }
        var target = await db.BackupTargets.AsNoTracking().FirstAsync(t => t.Id == backup.TargetId, ct);
        await using var held = await TargetLock.TryTakeAsync(direct, TargetLock.BackupKey, target.Id, ct);
        if (held is null)
        {
            return;
        }
        backup.Method = target.Method;
        backup.Status = BackupStatus.Running;
        backup.StartedAt = clock.GetUtcNow();
        events.Append(db, backup.RequestedBy, BackupEventKinds.BackupStarted, BackupEventKinds.SubjectType, Id(target.Id), $"Backup #{backup.Id} of {target.Name} started");
        await db.SaveChangesAsync(ct);

        var folder = Path.Combine(target.Destination, $"target-{target.Id}");
        var file = Path.Combine(folder, $"{backup.StartedAt.Value.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{backup.Id}.dump");
        var partial = file + ".partial";
        try
        {
            var connectionString = targets.ConnectionStringOf(target)
                ?? throw new BackupFailedException("the stored connection string cannot be decrypted (the portal's keys changed): enter it again");
            if (target.Method == BackupMethods.PgBackRest)
            {
                await BackUpStanzaAsync(target, backup, connectionString, ct);
            }
            else
            {
                Directory.CreateDirectory(folder);
                var counts = await DumpAsync(db, target, connectionString, partial, ct);
                File.Move(partial, file, overwrite: false);
                backup.Location = file;
                backup.SizeBytes = new FileInfo(file).Length;
                backup.Sha256 = await Sha256Async(file, ct);
                backup.RowCounts = counts;
            }
            backup.Status = BackupStatus.Succeeded;
            backup.FinishedAt = clock.GetUtcNow();
            events.Append(db, backup.RequestedBy, BackupEventKinds.BackupSucceeded, BackupEventKinds.SubjectType, Id(target.Id),
                $"Backup #{backup.Id} of {target.Name}: {Size(backup.SizeBytes ?? 0)}{(backup.Label is null ? "" : $" ({backup.Label})")} in {(backup.FinishedAt - backup.StartedAt).Value.TotalSeconds:0.0} s",
                payload: new { backupId = backup.Id, backup.SizeBytes });
            await db.SaveChangesAsync(CancellationToken.None);
            LogSucceeded(backup.Id, target.Id, backup.SizeBytes ?? 0);
        }
        catch (Exception ex) when (ex is BackupFailedException or IOException or UnauthorizedAccessException or NpgsqlException or ProcessLaunchException or OperationCanceledException)
        {
            TryDelete(partial);
            backup.Status = BackupStatus.Failed;
            backup.FinishedAt = clock.GetUtcNow();
            backup.Error = ex is OperationCanceledException ? "cancelled (the portal is stopping)" : ex.Message;
            events.Append(db, backup.RequestedBy, BackupEventKinds.BackupFailed, BackupEventKinds.SubjectType, Id(target.Id),
                $"Backup #{backup.Id} of {target.Name} failed: {backup.Error}", payload: new { backupId = backup.Id });
            await db.SaveChangesAsync(CancellationToken.None);
            LogFailed(backup.Id, target.Id, backup.Error);
        }
        if (backup.Status == BackupStatus.Succeeded && target.Method == BackupMethods.PgBackRest)
        {
            await retention.ApplyStanzaAsync(target, await StanzaLabelsAsync(target), CancellationToken.None);
        }
        else if (backup.Status == BackupStatus.Succeeded)
        {
            await retention.ApplyAsync(target.Id, CancellationToken.None);
        }
        await health.SweepAsync(target.Id, CancellationToken.None);
    }

    /// <summary>pg_dump in a snapshot exported by a read-only transaction that counts every table's rows in the same snapshot, alongside.</summary>
    private async Task<Dictionary<string, long>> DumpAsync(OpsDbContext db, BackupTarget target, string connectionString, string partial, CancellationToken ct)
    {
        var source = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 }.ConnectionString;
        await using var conn = new NpgsqlConnection(source);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var ro = new NpgsqlCommand("SET TRANSACTION READ ONLY", conn, tx))
        {
            await ro.ExecuteNonQueryAsync(ct);
        }
        string snapshot;
        long databaseSize;
        await using (var cmd = new NpgsqlCommand("SELECT pg_export_snapshot(), pg_database_size(current_database())", conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            snapshot = reader.GetString(0);
            databaseSize = reader.GetInt64(1);
        }
        await CheckFreeSpaceAsync(db, target, databaseSize, Path.GetDirectoryName(partial)!, ct);

        var dump = launcher.RunAsync(new ProcessSpec(tools.Program("pg_dump"), Path.GetDirectoryName(partial)!)
        {
            Arguments = ["--format=custom", "--no-password", $"--snapshot={snapshot}", "--file", partial],
            Environment = PgTools.Environment(connectionString),
            Timeout = options.Value.BackupTimeout,
            KillGrace = TimeSpan.FromSeconds(30),
        }, ct);
        Dictionary<string, long> counts;
        try
        {
            counts = await CountRowsAsync(conn, tx, ct);
        }
        finally
        {
            // pg_dump has its snapshot once it started; wait for it whatever the counting did.
            var result = await dump;
            if (result.Exit.ExitCode != 0 || result.Exit.TimedOut)
            {
                throw new BackupFailedException("pg_dump failed: " + PgTools.Reason(result.Error, result.Exit.ExitCode, result.Exit.TimedOut));
            }
        }
        await tx.CommitAsync(ct);
        return counts;
    }

    /// <summary>
    /// pgbackrest backup of the stanza — full when the repository has no full backup of the last 7 days, else
    /// differential — then the new backup read from pgbackrest info: its label, repository size, folder and the
    /// sha256 of its manifest. Row counts come from the live database right after (in one snapshot): the restored
    /// copy is the database as of the backup's end, so a busy database needs a row-count tolerance.
    /// </summary>
    private async Task BackUpStanzaAsync(BackupTarget target, Backup backup, string connectionString, CancellationToken ct)
    {
        var before = await pgBackRest.InfoAsync(target, ct);
        var since = clock.GetUtcNow() - TimeSpan.FromDays(7);
        var type = before.Backups.Any(b => b.Type == "full" && !b.Error && b.Stop > since) ? "diff" : "full";
        await pgBackRest.BackupAsync(target, type, ct);
        var after = await pgBackRest.InfoAsync(target, ct);
        var known = before.Backups.Select(b => b.Label).ToHashSet(StringComparer.Ordinal);
        var made = after.Backups.LastOrDefault(b => !known.Contains(b.Label))
            ?? throw new BackupFailedException("pgbackrest backup ended well, but pgbackrest info lists no new backup of the stanza");
        if (made.Error)
        {
            throw new BackupFailedException($"pgbackrest info marks backup {made.Label} as having errors (pages that failed their checksums)");
        }
        var folder = Path.Combine(PgBackRest.RepoPath(target.PgBackRestConfig!, target.Stanza!), "backup", target.Stanza!, made.Label);
        backup.Label = made.Label;
        backup.Location = folder;
        backup.SizeBytes = made.RepoSize;
        backup.Sha256 = File.Exists(Path.Combine(folder, "backup.manifest")) ? await Sha256Async(Path.Combine(folder, "backup.manifest"), ct) : null;
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        backup.RowCounts = await CountRowsAsync(conn, tx, ct);
        LogStanzaBackup(backup.Id, type, made.Label);
    }

    private async Task<IReadOnlySet<string>?> StanzaLabelsAsync(BackupTarget target)
    {
        try
        {
            return (await pgBackRest.InfoAsync(target, CancellationToken.None)).Backups.Select(b => b.Label).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is BackupFailedException or ProcessLaunchException)
        {
            // Retention is pgBackRest's: when its info cannot be read, nothing is marked expired this time.
            return null;
        }
    }

    internal static async Task<Dictionary<string, long>> CountRowsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var tables = new List<(string Schema, string Table)>();
        await using (var list = new NpgsqlCommand("""
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1, 2
            """, conn, tx))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, table) in tables)
        {
#pragma warning disable CA2100 // Names read from pg_class, quoted as identifiers; names cannot be parameters.
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {Quote(schema)}.{Quote(table)}", conn, tx);
#pragma warning restore CA2100
            counts[$"{schema}.{table}"] = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        return counts;
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private async Task CheckFreeSpaceAsync(OpsDbContext db, BackupTarget target, long databaseSize, string folder, CancellationToken ct)
    {
        var last = await db.Backups.AsNoTracking()
            .Where(b => b.TargetId == target.Id && b.Status == BackupStatus.Succeeded && b.SizeBytes != null)
            .OrderByDescending(b => b.Id).Select(b => b.SizeBytes).FirstOrDefaultAsync(ct);
        // A custom-format dump is compressed: a half of the database is a safe first guess; after that the last dump, and some.
        var expected = last is { } size ? size * 3 / 2 : databaseSize / 2;
        var needed = expected + (options.Value.MinFreeMegabytes * 1024L * 1024L);
        var free = new DriveInfo(folder).AvailableFreeSpace;
        if (free < needed)
        {
            throw new BackupFailedException(
                $"not enough free space in {target.Destination}: {Size(free)} free, {Size(needed)} needed (expected dump {Size(expected)} + {options.Value.MinFreeMegabytes} MB reserve)");
        }
    }

    internal static async Task<string> Sha256Async(string file, CancellationToken ct)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0 'GB'", CultureInfo.InvariantCulture),
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0 'MB'", CultureInfo.InvariantCulture),
        _ => (bytes / 1024.0).ToString("0.0 'kB'", CultureInfo.InvariantCulture),
    };

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {BackupId} of target {TargetId} succeeded: {Bytes} bytes")]
    private partial void LogSucceeded(long backupId, long targetId, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {BackupId}: pgbackrest {Type} backup {Label}")]
    private partial void LogStanzaBackup(long backupId, string type, string label);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {BackupId} of target {TargetId} failed: {Reason}")]
    private partial void LogFailed(long backupId, long targetId, string reason);
}

/// <summary>A backup or drill step that failed for a reason worth showing as it is.</summary>
internal sealed class BackupFailedException : Exception
{
    public BackupFailedException()
    {
    }

    public BackupFailedException(string message)
        : base(message)
    {
    }

    public BackupFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
