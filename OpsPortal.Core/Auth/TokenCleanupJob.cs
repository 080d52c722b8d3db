using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

/// <summary>Deletes tokens revoked long ago; their creation and revocation stay on the events spine.</summary>
public sealed class TokenCleanupJob(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan KeepRevoked = TimeSpan.FromDays(90);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - KeepRevoked;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.Where(t => t.RevokedAt != null && t.RevokedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
