using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Backups;

/// <summary>
/// Hangfire's entry points: queued backups and drills (any node's worker), the targets' cron schedules, and the
/// 5-minute sweep. Never retried by Hangfire: a run records its own failure, and a schedule comes round again.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class BackupJobs(
    BackupRunner runner,
    BackupDrills drills,
    BackupHealth health,
    PgBackRest pgBackRest,
    IDbContextFactory<OpsDbContext> dbs,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    TimeProvider clock)
{
    private static readonly Actor Scheduler = Actor.System("backups");

    public Task RunBackupAsync(long backupId, CancellationToken ct) => runner.RunAsync(backupId, ct);

    public Task RunDrillAsync(long drillId, CancellationToken ct) => drills.RunAsync(drillId, ct);

    /// <summary>A scheduled backup; skipped (not failed) while another backup of the target is queued or running.</summary>
    public async Task ScheduledBackupAsync(long targetId, CancellationToken ct)
    {
        var queued = await runner.QueueAsync(Scheduler, targetId, "schedule", ct);
        if (queued.Succeeded)
        {
            await runner.RunAsync(queued.Value.Id, ct);
        }
    }

    /// <summary>A scheduled drill of the target's latest good backup.</summary>
    public async Task ScheduledDrillAsync(long targetId, CancellationToken ct)
    {
        var queued = await drills.QueueAsync(Scheduler, targetId, null, "schedule", ct);
        if (queued.Succeeded)
        {
            await drills.RunAsync(queued.Value.Id, ct);
        }
    }

    /// <summary>
    /// Scratch clusters of drills that are no longer running (their node crashed mid-drill): stopped (SIGTERM to the
    /// postmaster named in postmaster.pid) and removed. Only this machine's folder: another machine's drills are not here.
    /// </summary>
    internal async Task<int> RemoveLeftoverScratchClustersAsync(OpsDbContext db, CancellationToken ct)
    {
        if (!Directory.Exists(pgBackRest.ScratchFolder))
        {
            return 0;
        }
        var removed = 0;
        foreach (var folder in Directory.GetDirectories(pgBackRest.ScratchFolder, PgBackRest.ScratchPrefix + "*"))
        {
            if (!long.TryParse(Path.GetFileName(folder)[PgBackRest.ScratchPrefix.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var drillId)
                || await db.BackupDrills.AnyAsync(d => d.Id == drillId && (d.Status == DrillStatus.Queued || d.Status == DrillStatus.Running), ct))
            {
                continue;
            }
            await PgBackRest.StopLeftoverAsync(folder, ct);
            PgBackRest.Remove(folder);
            removed++;
        }
        return removed;
    }

    /// <summary>Ends runs whose node died (their lock is free), then records staleness changes.</summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(1);
            foreach (var b in await db.Backups.Where(b => b.Status == BackupStatus.Running && b.StartedAt < cutoff).ToListAsync(ct))
            {
                if (await TargetLock.IsFreeAsync(direct, TargetLock.BackupKey, b.TargetId, ct))
                {
                    b.Status = BackupStatus.Failed;
                    b.FinishedAt = clock.GetUtcNow();
                    b.Error = "the node running it stopped before it finished";
                }
            }
            foreach (var d in await db.BackupDrills.Where(d => d.Status == DrillStatus.Running && d.StartedAt < cutoff).ToListAsync(ct))
            {
                if (await TargetLock.IsFreeAsync(direct, TargetLock.DrillKey, d.TargetId, ct))
                {
                    d.Status = DrillStatus.Failed;
                    d.FinishedAt = clock.GetUtcNow();
                    d.FailedStep = d.Steps.LastOrDefault()?.Name ?? "start";
                    d.Error = "the node running it stopped before it finished (its scratch database may be left over)";
                }
            }
            await db.SaveChangesAsync(ct);
            await RemoveLeftoverScratchClustersAsync(db, ct);
        }
        await health.SweepAsync(null, ct);
    }
}
