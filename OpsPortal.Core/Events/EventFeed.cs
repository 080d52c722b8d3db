using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Events;

/// <summary>Read side of the spine: the home feed (a feature reads its own subjects' events itself, e.g. a ticket's activity).</summary>
public sealed class EventFeed(IDbContextFactory<OpsDbContext> dbFactory)
{
    /// <summary>
    /// Kinds that happen all day and tell the team nothing: signing in (or failing to) and API tokens coming
    /// and going. Home hides them unless asked ("show all"); they stay on the spine for audits. A lock-out,
    /// a new user or a role change is news and stays.
    /// </summary>
    public static readonly IReadOnlySet<string> NoiseKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        Auth.AuthEventKinds.UserSignedIn, Auth.AuthEventKinds.UserSignInFailed, Auth.AuthEventKinds.TokenCreated, Auth.AuthEventKinds.TokenRevoked,
    };

    public static bool IsNoise(OpsEvent ev) => NoiseKinds.Contains(ev.Kind);

    /// <summary>The newest events, newest first; without <paramref name="includeNoise"/>, those of <see cref="NoiseKinds"/> are left out.</summary>
    public async Task<List<OpsEvent>> RecentAsync(int limit, bool includeNoise = true, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var noise = NoiseKinds.ToArray();
        var events = db.Events.AsNoTracking();
        if (!includeNoise)
        {
            events = events.Where(e => !noise.Contains(e.Kind));
        }
        return await events
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(Math.Clamp(limit, 1, 500))
            .ToListAsync(ct);
    }
}
