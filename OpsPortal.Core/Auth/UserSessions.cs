using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

/// <summary>The server-side record of sign-in cookies (<see cref="UserSession"/>).</summary>
public sealed class UserSessions(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The claim in the cookie that names its session.</summary>
    public const string ClaimType = "opsportal:session";

    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(5);

    public async Task<Guid> StartAsync(string userId, string? address, string? userAgent, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now,
            Address = Truncate(address, 64),
            UserAgent = Truncate(userAgent, 256),
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    /// <summary>True while the session exists, belongs to the user and is not revoked; notes that it was seen.</summary>
    public async Task<bool> IsLiveAsync(Guid sessionId, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lastSeen = await db.UserSessions
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .Select(s => (DateTimeOffset?)s.LastSeenAt)
            .SingleOrDefaultAsync(ct);
        if (lastSeen is null)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        if (now - lastSeen > LastSeenResolution)
        {
            await db.UserSessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), ct);
        }
        return true;
    }

    public async Task RevokeAsync(Guid sessionId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.UserSessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
    }

    /// <summary>Revokes every session and API token of a user, in the caller's transaction. Returns the number of tokens revoked.</summary>
    internal static async Task<int> RevokeEverythingAsync(OpsDbContext db, string userId, DateTimeOffset now, CancellationToken ct)
    {
        await db.UserSessions.Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
        return await db.ApiTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
