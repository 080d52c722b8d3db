using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Backups;

/// <summary>A target's state at a glance: its last backups and drills, what is wrong, and when its schedules run next.</summary>
public sealed record BackupTargetStatus(
    BackupTarget Target,
    Backup? LastBackup,
    Backup? LastGoodBackup,
    BackupDrill? LastDrill,
    BackupDrill? LastGoodDrill,
    DateTimeOffset? NextBackup,
    DateTimeOffset? NextDrill,
    IReadOnlyList<string> Problems)
{
    /// <summary>No problem: nothing is due yet, or everything due was done. Staleness events and alerts follow this alone.</summary>
    public bool IsHealthy => Problems.Count == 0;

    /// <summary>No good backup yet, not yet due either: a warning of its own on the page and Home, no event (ADR-045).</summary>
    public bool NeverBackedUp => LastGoodBackup is null && IsHealthy;

    /// <summary>Why <see cref="NeverBackedUp"/> warns, with when the target turns stale.</summary>
    public string? NeverBackedUpText => NeverBackedUp
        ? $"never backed up yet — {(NextBackup is { } next ? $"the first scheduled backup runs {next.UtcDateTime:yyyy-MM-dd HH:mm}Z" : "on demand only: back it up now")}; stale from {Target.CreatedAt.AddHours(Target.BackupMaxAgeHours).UtcDateTime:yyyy-MM-dd HH:mm}Z"
        : null;

    /// <summary>Problems and the never-backed-up warning: what the page and Home show.</summary>
    public bool NeedsAttention => !IsHealthy || NeverBackedUp;
}

/// <summary>
/// Staleness: a target whose last good backup or drill is older than its threshold, or whose latest backup or drill
/// failed, has problems. The sweep (after every backup and drill, and every 5 minutes) records the change once as an
/// event (<see cref="BackupEventKinds.WentStale"/> / <see cref="BackupEventKinds.Recovered"/>); pages read the live status.
/// </summary>
public sealed class BackupHealth(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock)
{
    public async Task<List<BackupTargetStatus>> StatusAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var list = new List<BackupTargetStatus>();
        foreach (var target in await db.BackupTargets.AsNoTracking().OrderByDescending(t => t.BuiltIn).ThenBy(t => t.Name).ToListAsync(ct))
        {
            list.Add(await StatusOfAsync(db, target, ct));
        }
        return list;
    }

    private async Task<BackupTargetStatus> StatusOfAsync(OpsDbContext db, BackupTarget target, CancellationToken ct)
    {
        var backups = db.Backups.AsNoTracking().Where(b => b.TargetId == target.Id);
        var drills = db.BackupDrills.AsNoTracking().Where(d => d.TargetId == target.Id);
        var lastBackup = await backups.Where(b => b.Status == BackupStatus.Succeeded || b.Status == BackupStatus.Failed).OrderByDescending(b => b.Id).FirstOrDefaultAsync(ct);
        var lastGood = await backups.Where(b => b.Status == BackupStatus.Succeeded).OrderByDescending(b => b.Id).FirstOrDefaultAsync(ct);
        var lastDrill = await drills.Where(d => d.Status == DrillStatus.Passed || d.Status == DrillStatus.Failed).OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);
        var lastGoodDrill = await drills.Where(d => d.Status == DrillStatus.Passed).OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var problems = new List<string>();
        Age(problems, "backup", lastGood?.FinishedAt, target.BackupMaxAgeHours, target.CreatedAt, now);
        if (lastBackup is { Status: BackupStatus.Failed } failed)
        {
            problems.Add($"the last backup (#{failed.Id}) failed: {failed.Error}");
        }
        Age(problems, "drill", lastGoodDrill?.FinishedAt, target.DrillMaxAgeHours, target.CreatedAt, now);
        if (lastDrill is { Status: DrillStatus.Failed } failedDrill)
        {
            problems.Add($"the last restore drill (#{failedDrill.Id}) failed at {failedDrill.FailedStep}: {failedDrill.Error}");
        }
        return new BackupTargetStatus(target, lastBackup, lastGood, lastDrill, lastGoodDrill,
            BackupTargetRules.Next(target.Schedule, now), BackupTargetRules.Next(target.DrillSchedule, now), problems);
    }

    private static void Age(List<string> problems, string what, DateTimeOffset? lastGood, int maxAgeHours, DateTimeOffset created, DateTimeOffset now)
    {
        var limit = TimeSpan.FromHours(maxAgeHours);
        if (lastGood is { } at && now - at > limit)
        {
            problems.Add($"the last good {what} is {(now - at).TotalHours:0} h old (limit {maxAgeHours} h)");
        }
        else if (lastGood is null && now - created > limit)
        {
            problems.Add($"no good {what} in the {maxAgeHours} h since the target was added");
        }
    }

    /// <summary>Records a change of health as one event (went stale / recovered); every node may run it, the row update decides.</summary>
    internal async Task SweepAsync(long? targetId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var targets = await db.BackupTargets.Where(t => targetId == null || t.Id == targetId).ToListAsync(ct);
        foreach (var target in targets)
        {
            var status = await StatusOfAsync(db, target, ct);
            var reason = status.IsHealthy ? null : string.Join("; ", status.Problems);
            if (reason is not null && reason.Length > 2000)
            {
                reason = reason[..2000];
            }
            // Compare-and-set on the stored state: of two nodes sweeping at once, one records the change.
            var before = target.StaleReason;
            if (before == reason)
            {
                continue;
            }
            var changed = await db.BackupTargets.Where(t => t.Id == target.Id && t.StaleReason == before)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.StaleReason, reason)
                    .SetProperty(t => t.StaleSince, t => reason == null ? null : before == null ? clock.GetUtcNow() : t.StaleSince), ct);
            if (changed == 0)
            {
                continue;
            }
            if (reason is not null && before is null)
            {
                events.Append(db, "system", BackupEventKinds.WentStale, BackupEventKinds.SubjectType, BackupRunner.Id(target.Id), $"Backups of {target.Name} need attention: {reason}");
            }
            else if (reason is null)
            {
                events.Append(db, "system", BackupEventKinds.Recovered, BackupEventKinds.SubjectType, BackupRunner.Id(target.Id), $"Backups of {target.Name} are healthy again");
            }
            await db.SaveChangesAsync(ct);
        }
    }
}
