using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

/// <summary>
/// Deletes tokens revoked long ago and sessions unused for a month (a sign-in cookie expires after a
/// week without use); creation and revocation stay on the events spine.
/// </summary>
public sealed class TokenCleanupJob(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan KeepRevoked = TimeSpan.FromDays(90);
    public static readonly TimeSpan KeepSessions = TimeSpan.FromDays(30);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - KeepRevoked;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sessionCutoff = clock.GetUtcNow() - KeepSessions;
        await db.UserSessions.Where(s => s.LastSeenAt < sessionCutoff).ExecuteDeleteAsync(ct);
        return await db.ApiTokens.Where(t => t.RevokedAt != null && t.RevokedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
