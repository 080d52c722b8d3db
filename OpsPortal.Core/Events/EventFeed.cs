using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Events;

/// <summary>Read side of the spine: the home feed (a feature reads its own subjects' events itself, e.g. a ticket's activity).</summary>
public sealed class EventFeed(IDbContextFactory<OpsDbContext> dbFactory)
{
    public async Task<List<OpsEvent>> RecentAsync(int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking()
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(ct);
    }
}
