using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

public sealed class UserPreferences(IDbContextFactory<OpsDbContext> dbFactory)
{
    public async Task<bool?> GetDarkModeAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == userId).Select(u => u.PrefersDarkMode).SingleOrDefaultAsync(ct);
    }

    public async Task SetDarkModeAsync(string userId, bool? dark, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PrefersDarkMode, dark), ct);
    }
}
