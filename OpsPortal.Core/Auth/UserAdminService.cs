using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Auth;

public sealed record UserSummary(string Id, string Email, string DisplayName, string Role, bool IsDisabled,
    DateTimeOffset? LockoutEnd, DateTimeOffset CreatedAt);

/// <summary>The outcome of a user change: an error message for the person, or success.</summary>
public sealed record UserResult(bool Succeeded, string? Error, string? UserId = null)
{
    public static UserResult Ok(string userId) => new(true, null, userId);
    public static UserResult Fail(string error) => new(false, error);
}

/// <summary>
/// Managing users (Admin work, plus the first admin at set-up). Scoped: it shares the request's
/// <see cref="OpsDbContext"/> with <see cref="UserManager{TUser}"/>, so the user change and its
/// event commit in one transaction.
/// </summary>
public sealed class UserAdminService(OpsDbContext db, UserManager<AppUser> users, EventLog events, TimeProvider clock, ApiTokenCache tokenCache)
{
    public async Task<List<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        var roleNames = await (from ur in db.UserRoles
                               join r in db.Roles on ur.RoleId equals r.Id
                               select new { ur.UserId, r.Name }).AsNoTracking().ToListAsync(ct);
        var rolesByUser = roleNames.ToLookup(x => x.UserId, x => x.Name!);
        var list = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        return list.Select(u => new UserSummary(u.Id, u.Email ?? "", u.DisplayName, Roles.Top(rolesByUser[u.Id]),
            u.IsDisabled, u.LockoutEnd, u.CreatedAt)).ToList();
    }

    public async Task<bool> AnyAdminAsync(CancellationToken ct = default) =>
        (await users.GetUsersInRoleAsync(Roles.Admin)).Any(u => !u.IsDisabled);

    public async Task<UserResult> CreateAsync(string actor, string email, string password, string role, CancellationToken ct = default)
    {
        email = email.Trim();
        if (!Roles.IsValid(role))
        {
            return UserResult.Fail($"Unknown role '{role}'. Expected one of: {string.Join(", ", Roles.All)}.");
        }
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
        {
            return UserResult.Fail("A valid email address is required.");
        }
        var user = new AppUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = email.Split('@')[0],
            CreatedAt = clock.GetUtcNow(),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return UserResult.Fail(Describe(created));
        }
        var roled = await users.AddToRolesAsync(user, Roles.Implied(role));
        if (!roled.Succeeded)
        {
            return UserResult.Fail(Describe(roled));
        }
        events.Append(db, actor, EventKinds.UserCreated, "user", user.Id, $"{actor} created user {email} ({role})",
            payload: new { email, role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return UserResult.Ok(user.Id);
    }

    public async Task<UserResult> SetRoleAsync(string actor, string userId, string role, CancellationToken ct = default)
    {
        if (!Roles.IsValid(role))
        {
            return UserResult.Fail($"Unknown role '{role}'.");
        }
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return UserResult.Fail("No such user.");
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && role != Roles.Admin && await IsLastAdminAsync(user))
        {
            return UserResult.Fail("This is the last admin; make someone else an admin first.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = await users.RemoveFromRolesAsync(user, current);
        var added = removed.Succeeded ? await users.AddToRolesAsync(user, Roles.Implied(role)) : removed;
        if (!added.Succeeded)
        {
            return UserResult.Fail(Describe(added));
        }
        // A new stamp signs the user's browsers out at the next validation, so the new role applies everywhere.
        await users.UpdateSecurityStampAsync(user);
        tokenCache.Clear();
        events.Append(db, actor, EventKinds.UserRoleChanged, "user", user.Id, $"{actor} made {user.Email} {role}",
            payload: new { from = Roles.Top(current), to = role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return UserResult.Ok(user.Id);
    }

    public async Task<UserResult> SetDisabledAsync(string actor, string userId, bool disabled, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return UserResult.Fail("No such user.");
        }
        if (disabled && await users.IsInRoleAsync(user, Roles.Admin) && await IsLastAdminAsync(user))
        {
            return UserResult.Fail("This is the last admin; it cannot be disabled.");
        }
        user.IsDisabled = disabled;
        user.SecurityStamp = Guid.NewGuid().ToString();
        events.Append(db, actor, disabled ? EventKinds.UserDisabled : EventKinds.UserEnabled, "user", user.Id,
            $"{actor} {(disabled ? "disabled" : "enabled")} {user.Email}");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
        {
            return UserResult.Fail(Describe(updated));
        }
        // Re-enabling must not bring old cookies and tokens back to life.
        if (disabled)
        {
            await UserSessions.RevokeEverythingAsync(db, user.Id, clock.GetUtcNow(), ct);
        }
        await tx.CommitAsync(ct);
        tokenCache.Clear();
        return UserResult.Ok(user.Id);
    }

    /// <summary>Sets a new generated password and returns it, to be shown once to the admin.</summary>
    public async Task<(UserResult Result, string? Password)> ResetPasswordAsync(string actor, string userId, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return (UserResult.Fail("No such user."), null);
        }
        var password = GeneratePassword();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded)
        {
            return (UserResult.Fail(Describe(reset)), null);
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        // Whoever knew the old password may hold a cookie or a token made with it.
        var tokens = await UserSessions.RevokeEverythingAsync(db, user.Id, clock.GetUtcNow(), ct);
        events.Append(db, actor, EventKinds.UserPasswordReset, "user", user.Id,
            $"{actor} reset the password of {user.Email}; their sessions and {tokens} API token(s) were revoked");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        tokenCache.Clear();
        return (UserResult.Ok(user.Id), password);
    }

    /// <summary>24 characters from a 62-letter alphabet: about 143 bits, and it meets every Identity rule.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var body = RandomNumberGenerator.GetString(alphabet, 21);
        return body + "aA9";
    }

    private async Task<bool> IsLastAdminAsync(AppUser user) =>
        (await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => !u.IsDisabled && u.Id != user.Id) == 0;

    private static string Describe(IdentityResult result) =>
        string.Join(" ", result.Errors.Select(e => e.Description));
}
