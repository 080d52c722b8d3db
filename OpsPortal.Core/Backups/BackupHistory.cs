using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Backups;

/// <summary>Reads of backups and drills, newest first (history is kept forever; pages and the API take the newest N).</summary>
public sealed class BackupHistory(IDbContextFactory<OpsDbContext> dbs)
{
    public async Task<List<Backup>> BackupsAsync(long? targetId, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Backups.AsNoTracking().Where(b => targetId == null || b.TargetId == targetId)
            .OrderByDescending(b => b.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    public async Task<Backup?> BackupAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Backups.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct);
    }

    public async Task<List<BackupDrill>> DrillsAsync(long? targetId, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.BackupDrills.AsNoTracking().Where(d => targetId == null || d.TargetId == targetId)
            .OrderByDescending(d => d.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    public async Task<BackupDrill?> DrillAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.BackupDrills.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
    }
}
