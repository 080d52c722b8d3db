using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

/// <summary>The people schedules, policies, settings and mentions may name: the portal's enabled users, by email.</summary>
internal static class PortalPeople
{
    /// <summary>Each enabled user's email, looked up in any case, mapped to how it is stored (and signs in).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> KnownAsync(OpsDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var emails = await db.Users.AsNoTracking().Where(u => !u.IsDisabled && u.Email != null).Select(u => u.Email!).ToListAsync(ct);
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var email in emails)
        {
            map.TryAdd(email, email);
        }
        return map;
    }
}
