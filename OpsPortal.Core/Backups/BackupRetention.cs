using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Backups;

/// <summary>
/// Keep N daily, weekly and monthly backups (grandfather-father-son): the newest good backup of each of the
/// N most recent days, ISO weeks and months that have one; the newest good backup always. The rest lose their
/// file; their rows stay, marked deleted (history is kept).
/// </summary>
public sealed partial class BackupRetention(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock, ILogger<BackupRetention> logger)
{
    /// <summary>Which of the good backups (id, finished) to keep.</summary>
    internal static HashSet<long> Keep(IEnumerable<(long Id, DateTimeOffset At)> good, int daily, int weekly, int monthly)
    {
        var newestFirst = good.OrderByDescending(b => b.At).ThenByDescending(b => b.Id).ToList();
        var keep = new HashSet<long>();
        if (newestFirst.Count > 0)
        {
            keep.Add(newestFirst[0].Id);
        }
        void KeepNewestPer(Func<DateTime, string> period, int n)
        {
            foreach (var first in newestFirst.GroupBy(b => period(b.At.UtcDateTime)).Take(n).Select(g => g.First()))
            {
                keep.Add(first.Id);
            }
        }
        KeepNewestPer(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), daily);
        KeepNewestPer(d => $"{ISOWeek.GetYear(d)}-W{ISOWeek.GetWeekOfYear(d)}", weekly);
        KeepNewestPer(d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture), monthly);
        return keep;
    }

    /// <summary>Deletes the files retention no longer keeps (and leftovers of failed runs are never kept: they are deleted when they fail).</summary>
    internal async Task<int> ApplyAsync(long targetId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var target = await db.BackupTargets.AsNoTracking().FirstAsync(t => t.Id == targetId, ct);
        var good = await db.Backups
            .Where(b => b.TargetId == targetId && b.Status == BackupStatus.Succeeded && b.DeletedAt == null)
            .ToListAsync(ct);
        // A backup a drill is restoring right now keeps its file until the drill is over.
        var inUse = await db.BackupDrills.Where(d => d.TargetId == targetId && (d.Status == DrillStatus.Queued || d.Status == DrillStatus.Running))
            .Select(d => d.BackupId).ToListAsync(ct);
        var keep = Keep(good.Select(b => (b.Id, b.FinishedAt ?? b.QueuedAt)), target.KeepDaily, target.KeepWeekly, target.KeepMonthly);
        var pruned = good.Where(b => !keep.Contains(b.Id) && !inUse.Contains(b.Id)).ToList();
        if (pruned.Count == 0)
        {
            return 0;
        }
        foreach (var b in pruned)
        {
            if (b.Location is { } file && File.Exists(file))
            {
                File.Delete(file);
            }
            b.DeletedAt = clock.GetUtcNow();
        }
        events.Append(db, "system", BackupEventKinds.BackupsPruned, BackupEventKinds.SubjectType, BackupRunner.Id(targetId),
            $"Retention deleted {pruned.Count} backup file(s) of {target.Name}", payload: new { backupIds = pruned.Select(b => b.Id).ToList() });
        await db.SaveChangesAsync(ct);
        LogPruned(targetId, pruned.Count);
        return pruned.Count;
    }

    /// <summary>
    /// pgBackRest targets: retention is the repository's own (repo1-retention-full/-diff in pgbackrest.conf; pgbackrest
    /// expires after each backup, knowing which differentials and WAL depend on which full). The portal only marks
    /// its records of backups that pgbackrest info no longer lists as deleted; it deletes no file itself.
    /// </summary>
    public async Task<int> ApplyStanzaAsync(BackupTarget target, IReadOnlySet<string>? labels, CancellationToken ct)
    {
        if (labels is null)
        {
            return 0;
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var gone = (await db.Backups
            .Where(b => b.TargetId == target.Id && b.Status == BackupStatus.Succeeded && b.DeletedAt == null && b.Label != null)
            .ToListAsync(ct)).Where(b => !labels.Contains(b.Label!)).ToList();
        if (gone.Count == 0)
        {
            return 0;
        }
        foreach (var b in gone)
        {
            b.DeletedAt = clock.GetUtcNow();
        }
        events.Append(db, "system", BackupEventKinds.BackupsPruned, BackupEventKinds.SubjectType, BackupRunner.Id(target.Id),
            $"pgBackRest's retention expired {gone.Count} backup(s) of {target.Name}", payload: new { backupIds = gone.Select(b => b.Id).ToList() });
        await db.SaveChangesAsync(ct);
        LogPruned(target.Id, gone.Count);
        return gone.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} backup files of target {TargetId}")]
    private partial void LogPruned(long targetId, int count);
}
