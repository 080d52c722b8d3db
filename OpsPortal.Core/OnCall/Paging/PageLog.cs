using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>One destination of a page as the log shows it: where, when, and how its delivery went.</summary>
public sealed record PageDestinationView(int Level, int Cycle, DateTimeOffset At, string? Person, string Destination, long? DeliveryId,
    string? DeliveryStatus, int Attempts, string? LastError);

public sealed record PageView(Page Page, IReadOnlyList<PageDestinationView> Destinations);

/// <summary>The page log: who was paged for what, when, over which channel, and who acknowledged.</summary>
public sealed class PageLog(IDbContextFactory<OpsDbContext> dbs)
{
    public const int MaxLimit = 500;

    /// <summary>Newest first; <paramref name="openOnly"/>: only pages still escalating or acknowledged but unresolved.</summary>
    public async Task<List<PageView>> ListAsync(int limit = 50, bool openOnly = false, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var query = db.Set<Page>().AsNoTracking();
        if (openOnly)
        {
            query = query.Where(p => p.Status != PageStatus.Resolved);
        }
        var pages = await query.OrderByDescending(p => p.OpenedAt).ThenByDescending(p => p.Id).Take(Math.Clamp(limit, 1, MaxLimit)).ToListAsync(ct);
        return await WithDestinationsAsync(db, pages, ct);
    }

    public async Task<Result<PageView>> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<Page>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) is not { } page)
        {
            return Refusal.NotFound($"There is no page {id}.");
        }
        return (await WithDestinationsAsync(db, [page], ct))[0];
    }

    /// <summary>The pages still escalating that were sent to <paramref name="person"/> (the app bar and the browser notifications).</summary>
    public async Task<List<Page>> TriggeredForAsync(string person, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<Page>().AsNoTracking()
            .Where(p => p.Status == PageStatus.Triggered && db.Set<PageNotification>().Any(n => n.PageId == p.Id && n.Person == person))
            .OrderByDescending(p => p.OpenedAt).Take(20).ToListAsync(ct);
    }

    private static async Task<List<PageView>> WithDestinationsAsync(OpsDbContext db, List<Page> pages, CancellationToken ct)
    {
        var ids = pages.Select(p => p.Id).ToList();
        var rows = await db.Set<PageNotification>().AsNoTracking().Where(n => ids.Contains(n.PageId)).OrderBy(n => n.Id).ToListAsync(ct);
        var states = await NotificationChannels.StatesAsync(db, [.. rows.Where(n => n.DeliveryId is not null).Select(n => n.DeliveryId!.Value)], ct);
        var byPage = rows.ToLookup(n => n.PageId, n =>
        {
            var state = n.DeliveryId is { } d ? states.GetValueOrDefault(d) : null;
            return new PageDestinationView(n.Level + 1, n.Cycle + 1, n.At, n.Person, n.Destination, n.DeliveryId, state?.Status.ToString(),
                state?.Attempts ?? 0, state?.LastError);
        });
        return [.. pages.Select(p => new PageView(p, [.. byPage[p.Id]]))];
    }
}
