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
using Stopwatch = System.Diagnostics.Stopwatch;

namespace OpsPortal.Core.Backups;

/// <summary>
/// Restore drills: a backup restored with pg_restore into a scratch database, its sha256 checked alongside, then the
/// target's checks (row counts, freshness, the team's read-only SQL assertions); every step timed and shown live
/// (an event per step), the scratch database dropped whatever happened. The RTO is the time until the checks passed.
/// </summary>
public sealed partial class BackupDrills(
    IDbContextFactory<OpsDbContext> dbs,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    BackupTargets targets,
    BackupHealth health,
    ProcessLauncher launcher,
    PgTools tools,
    PgBackRest pgBackRest,
    IBackgroundJobClient jobs,
    IOptions<BackupsOptions> options,
    EventLog events,
    TimeProvider clock,
    ILogger<BackupDrills> logger)
{
    public const string StepCreate = "create scratch database";
    public const string StepRestore = "restore";
    public const string StepChecksum = "checksum";
    public const string StepRowCounts = "row counts";
    public const string StepFreshness = "freshness";
    public const string StepAssertions = "assertions";
    public const string StepDrop = "drop scratch database";
    public const string StepStart = "start scratch cluster";
    public const string StepRemove = "stop and remove scratch cluster";

    /// <summary>Queues a drill of a chosen backup, or (backupId null) of the target's latest good one.</summary>
    public async Task<Result<BackupDrill>> QueueAsync(Actor actor, long? targetId, long? backupId, string trigger, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Backup? backup;
        if (backupId is { } id)
        {
            backup = await db.Backups.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct);
            if (backup is null)
            {
                return BackupRefusals.BackupNotFound(id);
            }
        }
        else
        {
            backup = await db.Backups.AsNoTracking()
                .Where(b => b.TargetId == targetId && b.Status == BackupStatus.Succeeded && b.DeletedAt == null)
                .OrderByDescending(b => b.Id).FirstOrDefaultAsync(ct);
            if (backup is null)
            {
                return await db.BackupTargets.AnyAsync(t => t.Id == targetId, ct)
                    ? Refusal.Unprocessable("This target has no good backup to drill yet: run a backup first.")
                    : BackupRefusals.TargetNotFound(targetId ?? 0);
            }
        }
        if (backup.Status != BackupStatus.Succeeded || backup.DeletedAt is not null)
        {
            return Refusal.Unprocessable($"Backup #{backup.Id} cannot be drilled: it {(backup.DeletedAt is null ? $"is {backup.Status}" : "was deleted by retention")}.");
        }
        var drill = new BackupDrill { TargetId = backup.TargetId, BackupId = backup.Id, Trigger = trigger, RequestedBy = actor.Name, QueuedAt = clock.GetUtcNow() };
        db.BackupDrills.Add(drill);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict("A drill of this target is already queued or running; one at a time.");
        }
        events.Append(db, actor.Name, BackupEventKinds.DrillQueued, BackupEventKinds.SubjectType, BackupRunner.Id(drill.TargetId),
            $"Restore drill #{drill.Id} of backup #{backup.Id} queued", payload: new { drillId = drill.Id });
        await db.SaveChangesAsync(ct);
        jobs.Enqueue<BackupJobs>(j => j.RunDrillAsync(drill.Id, CancellationToken.None));
        return drill;
    }

    internal async Task RunAsync(long drillId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var drill = await db.BackupDrills.FirstOrDefaultAsync(d => d.Id == drillId, ct);
        if (drill is not { Status: DrillStatus.Queued })
        {
            return;
        }
        await using var held = await TargetLock.TryTakeAsync(direct, TargetLock.DrillKey, drill.TargetId, ct);
        if (held is null)
        {
            return;
        }
        var target = await db.BackupTargets.AsNoTracking().FirstAsync(t => t.Id == drill.TargetId, ct);
        var backup = await db.Backups.AsNoTracking().FirstAsync(b => b.Id == drill.BackupId, ct);
        var run = new DrillRun(events, clock, db, drill, target);
        drill.Status = DrillStatus.Running;
        drill.StartedAt = clock.GetUtcNow();
        await run.SaveAsync($"Restore drill #{drill.Id} of {target.Name} started");

        var server = options.Value.ScratchServer is { Length: > 0 } s ? s : targets.ConnectionStringOf(target);
        var clockStart = Stopwatch.GetTimestamp();
        try
        {
            if (server is null)
            {
                throw new BackupFailedException("the target's stored connection string cannot be decrypted: enter it again");
            }
            if (target.Method == BackupMethods.PgBackRest)
            {
                await DrillStanzaAsync(run, drill, target, backup, targets.ConnectionStringOf(target) ?? server, clockStart, ct);
            }
            else
            {
                await DrillDumpAsync(run, drill, target, backup, server, clockStart, ct);
            }
        }
        catch (Exception ex) when (ex is DrillStepException or BackupFailedException or NpgsqlException or IOException or UnauthorizedAccessException or ProcessLaunchException or OperationCanceledException)
        {
            drill.Status = DrillStatus.Failed;
            drill.FailedStep ??= ex is DrillStepException step ? step.Step : drill.Steps.LastOrDefault(s => s.Status == "failed")?.Name ?? StepCreate;
            drill.Error = ex is OperationCanceledException ? "cancelled (the portal is stopping)" : (ex.InnerException ?? ex).Message;
        }
        await FinishAsync(run, drill, target);
    }

    private async Task FinishAsync(DrillRun run, BackupDrill drill, BackupTarget target)
    {
        drill.FinishedAt = clock.GetUtcNow();
        await run.SaveAsync(drill.Status == DrillStatus.Passed
            ? $"Restore drill #{drill.Id} of {target.Name} passed: RTO {drill.RtoSeconds:0.0} s"
            : $"Restore drill #{drill.Id} of {target.Name} failed at {drill.FailedStep}: {drill.Error}",
            drill.Status == DrillStatus.Passed ? BackupEventKinds.DrillPassed : BackupEventKinds.DrillFailed);
        LogFinished(drill.Id, target.Id, drill.Status, drill.RtoSeconds);
        await health.SweepAsync(target.Id, CancellationToken.None);
    }

    /// <summary>A pg_dump drill: pg_restore into a scratch database (its sha256 computed alongside), the checks, the database dropped whatever happened.</summary>
    private async Task DrillDumpAsync(DrillRun run, BackupDrill drill, BackupTarget target, Backup backup, string server, long clockStart, CancellationToken ct)
    {
        // Unique beyond the drill's id: two portals (or a test suite's many databases) may share one scratch server.
        var scratchName = $"opsportal_drill_{drill.Id}_{Guid.NewGuid().ToString("N")[..8]}";
        var created = false;
        try
        {
            var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
            var scratch = new NpgsqlConnectionStringBuilder(server) { Database = scratchName, Pooling = false, CommandTimeout = 0 }.ConnectionString;
            if (backup.Location is not { } file || !File.Exists(file))
            {
                throw new DrillStepException(StepRestore, $"the backup file {(backup.Location is null ? "" : "is missing ")}cannot be read");
            }
            await run.StepAsync(StepCreate, async () =>
            {
                await ExecuteAsync(admin, $"CREATE DATABASE {BackupRunner.Quote(scratchName)}", ct);
                created = true;
                return scratchName;
            });
            var checksum = Task.Run(() => BackupRunner.Sha256Async(file, ct), ct);
            await run.StepAsync(StepRestore, async () =>
            {
                var result = await launcher.RunAsync(new ProcessSpec(tools.Program("pg_restore"), Path.GetDirectoryName(file)!)
                {
                    Arguments = ["--exit-on-error", "--no-owner", "--no-privileges", "--no-password", $"--jobs={Math.Max(1, options.Value.RestoreJobs)}", "--dbname", scratchName, file],
                    Environment = PgTools.Environment(server, scratchName),
                    Timeout = options.Value.DrillTimeout,
                    KillGrace = TimeSpan.FromSeconds(30),
                }, ct);
                if (result.Exit.ExitCode != 0 || result.Exit.TimedOut)
                {
                    var sum = await checksum;
                    var damaged = sum == backup.Sha256 ? "" : " The file's sha256 differs from the one recorded at backup: the file was changed or damaged.";
                    throw new BackupFailedException("pg_restore failed: " + PgTools.Reason(result.Error, result.Exit.ExitCode, result.Exit.TimedOut) + damaged);
                }
                return $"restored {BackupRunner.Size(backup.SizeBytes ?? 0)} with {Math.Max(1, options.Value.RestoreJobs)} job(s)";
            });
            await run.StepAsync(StepChecksum, async () =>
            {
                var sum = await checksum;
                return sum == backup.Sha256
                    ? $"sha256 {sum[..12]}… matches"
                    : throw new BackupFailedException($"sha256 {sum[..12]}… differs from {backup.Sha256?[..12]}… recorded at backup: the file was changed");
            });
            await CheckAsync(run, target, backup, scratch, ct);
            drill.RtoSeconds = Stopwatch.GetElapsedTime(clockStart).TotalSeconds;
            drill.Status = DrillStatus.Passed;
        }
        finally
        {
            if (created || drill.Steps.Any(s => s.Name == StepCreate))
            {
                await DropScratchAsync(run, server, scratchName);
            }
        }
    }

    /// <summary>The same checks whatever restored the copy: row counts, freshness, the team's assertions.</summary>
    private static async Task CheckAsync(DrillRun run, BackupTarget target, Backup backup, string scratch, CancellationToken ct)
    {
        await run.StepAsync(StepRowCounts, () => DrillChecks.RowCountsAsync(scratch, backup.RowCounts, target.Checks.RowCountTolerancePercent, ct));
        if (target.Checks.Freshness.Count > 0)
        {
            await run.StepAsync(StepFreshness, () => DrillChecks.FreshnessAsync(scratch, target.Checks.Freshness, backup.StartedAt ?? backup.QueuedAt, ct));
        }
        if (target.Checks.Assertions.Count > 0)
        {
            await run.StepAsync(StepAssertions, () => DrillChecks.AssertionsAsync(scratch, target.Checks.Assertions, ct));
        }
    }

    /// <summary>
    /// A pgBackRest drill: <c>pgbackrest restore --set=LABEL --type=immediate</c> into a scratch folder, the manifest's
    /// sha256 compared, PostgreSQL started on it (recovering to the backup's end, then promoted), the checks, and the
    /// cluster stopped and its folder removed whatever happened.
    /// </summary>
    private async Task DrillStanzaAsync(DrillRun run, BackupDrill drill, BackupTarget target, Backup backup, string source, long clockStart, CancellationToken ct)
    {
        var folder = Path.Combine(pgBackRest.ScratchFolder, $"{PgBackRest.ScratchPrefix}{drill.Id}");
        var connection = new NpgsqlConnectionStringBuilder(source);
        var user = connection.Username ?? "postgres";
        ScratchCluster? cluster = null;
        try
        {
            string? version = null;
            await run.StepAsync(StepRestore, async () =>
            {
                if (backup.Label is not { } label)
                {
                    throw new BackupFailedException("the backup has no pgBackRest label to restore");
                }
                Directory.CreateDirectory(pgBackRest.ScratchFolder);
                PgBackRest.Remove(folder);
                version = (await pgBackRest.InfoAsync(target, ct)).Version;
                await pgBackRest.RestoreAsync(target, label, folder, ct);
                return $"pgbackrest restored {label} ({BackupRunner.Size(backup.SizeBytes ?? 0)} in the repository) into {folder}, checking every file's checksum";
            });
            await run.StepAsync(StepChecksum, async () =>
            {
                if (backup.Sha256 is null)
                {
                    return "no manifest sha256 was recorded; pgBackRest checked every file while restoring";
                }
                var sum = await BackupRunner.Sha256Async(Path.Combine(backup.Location!, "backup.manifest"), ct);
                return sum == backup.Sha256
                    ? $"manifest sha256 {sum[..12]}… matches (it lists every file's checksum, verified by the restore)"
                    : throw new BackupFailedException($"the manifest's sha256 {sum[..12]}… differs from {backup.Sha256[..12]}… recorded at backup: the backup was changed");
            });
            await run.StepAsync(StepStart, async () =>
            {
                var started = Stopwatch.GetTimestamp();
                cluster = await pgBackRest.StartAsync(folder, version, user, ct);
                return $"PostgreSQL {version} recovered to the backup's end and was promoted in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s";
            });
            await CheckAsync(run, target, backup, cluster!.ConnectionString(user, connection.Database ?? "postgres"), ct);
            drill.RtoSeconds = Stopwatch.GetElapsedTime(clockStart).TotalSeconds;
            drill.Status = DrillStatus.Passed;
        }
        finally
        {
            if (cluster is not null || Directory.Exists(folder))
            {
                await RemoveScratchClusterAsync(run, cluster, folder);
            }
        }
    }

    private async Task RemoveScratchClusterAsync(DrillRun run, ScratchCluster? cluster, string folder)
    {
        try
        {
            await run.StepAsync(StepRemove, async () =>
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync();
                }
                PgBackRest.Remove(folder);
                return cluster is null ? $"removed {folder}" : $"stopped, {folder} removed";
            });
        }
        catch (DrillStepException ex)
        {
            LogDropFailed(folder, ex.Message);
        }
    }

    private async Task DropScratchAsync(DrillRun run, string server, string scratchName)
    {
        try
        {
            // Never cancelled: the scratch copy goes even when the drill was stopped.
            await run.StepAsync(StepDrop, async () =>
            {
                var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
                await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {BackupRunner.Quote(scratchName)} WITH (FORCE)", CancellationToken.None);
                return "dropped";
            });
        }
        catch (DrillStepException ex)
        {
            // The drill's verdict stands; the failed drop is on record as its own step (a leftover the Admin must drop).
            LogDropFailed(scratchName, ex.Message);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
#pragma warning disable CA2100 // DDL on a name the portal generated (opsportal_drill_<id>_<random>), quoted.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One drill's record: each step saved and announced as it starts and ends, so pages follow it live.</summary>
    private sealed class DrillRun(EventLog events, TimeProvider clock, OpsDbContext db, BackupDrill drill, BackupTarget target)
    {
        public async Task StepAsync(string name, Func<Task<string>> body)
        {
            var step = new DrillStep { Name = name, StartedAt = clock.GetUtcNow() };
            drill.Steps = [.. drill.Steps, step];
            await SaveAsync($"Drill #{drill.Id}: {name}…", BackupEventKinds.DrillStepChanged);
            var started = Stopwatch.GetTimestamp();
            try
            {
                step.Detail = await body();
                step.Status = "passed";
            }
            catch (Exception ex) when (ex is BackupFailedException or NpgsqlException or IOException or UnauthorizedAccessException or ProcessLaunchException or OperationCanceledException)
            {
                step.Status = "failed";
                step.Detail = ex.Message;
                throw new DrillStepException(name, $"{ex.Message}", ex);
            }
            finally
            {
                step.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                drill.Steps = [.. drill.Steps];
                await SaveAsync($"Drill #{drill.Id}: {name} {step.Status}", BackupEventKinds.DrillStepChanged);
            }
        }

        public async Task SaveAsync(string summary, string kind = BackupEventKinds.DrillStepChanged)
        {
            events.Append(db, drill.RequestedBy, kind, BackupEventKinds.SubjectType, BackupRunner.Id(target.Id), summary,
                payload: new { drillId = drill.Id });
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drill {DrillId} of target {TargetId}: {Status}, RTO {Rto} s")]
    private partial void LogFinished(long drillId, long targetId, string status, double? rto);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scratch database {Name} could not be dropped: {Reason}")]
    private partial void LogDropFailed(string name, string reason);
}

/// <summary>A drill step failed; <see cref="Step"/> names it, the message says why.</summary>
internal sealed class DrillStepException : Exception
{
    public DrillStepException()
    {
    }

    public DrillStepException(string message)
        : base(message)
    {
    }

    public DrillStepException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DrillStepException(string step, string message, Exception? inner = null)
        : base(message, inner) => Step = step;

    public string Step { get; } = "";
}
