using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Auth;

public sealed record UserSummary(string Id, string Email, string DisplayName, string Role, bool IsDisabled,
    DateTimeOffset? LockoutEnd, DateTimeOffset CreatedAt);

/// <summary>
/// Managing users (Admin work, plus the first admin at set-up). The one scoped service (ADR-001):
/// ASP.NET Identity's <see cref="UserManager{TUser}"/> is scoped by design, and this shares its
/// <see cref="OpsDbContext"/> so the user change and its event commit in one transaction. Pages reach
/// it through <c>ActingUser.RunScopedAsync</c>, a fresh scope per operation. A change that cannot be
/// made comes back as a <see cref="Refusal"/> (400, 404, 409 for the last admin).
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

    /// <summary>Creates a user; the new user's id.</summary>
    public async Task<Result<string>> CreateAsync(Actor actor, string email, string password, string role, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        email = email?.Trim() ?? "";
        if (!Roles.IsValid(role))
        {
            return NotCreated($"Unknown role '{role}'. Expected one of: {string.Join(", ", Roles.All)}.");
        }
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
        {
            return NotCreated("A valid email address is required.");
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
            return NotCreated(Describe(created));
        }
        var roled = await users.AddToRolesAsync(user, Roles.Implied(role));
        if (!roled.Succeeded)
        {
            return NotCreated(Describe(roled));
        }
        events.Append(db, actor.Name, AuthEventKinds.UserCreated, AuthEventKinds.UserSubjectType, user.Id, $"{actor.Name} created user {email} ({role})",
            payload: new { email, role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return user.Id;
    }

    public async Task<Result> SetRoleAsync(Actor actor, string userId, string role, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!Roles.IsValid(role))
        {
            return Invalid($"Unknown role '{role}'.");
        }
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return NoSuchUser;
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && role != Roles.Admin && await IsLastAdminAsync(user))
        {
            return LastAdmin("This is the last admin; make someone else an admin first.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = await users.RemoveFromRolesAsync(user, current);
        var added = removed.Succeeded ? await users.AddToRolesAsync(user, Roles.Implied(role)) : removed;
        if (!added.Succeeded)
        {
            return Invalid(Describe(added));
        }
        // A new stamp signs the user's browsers out at the next validation, so the new role applies everywhere.
        await users.UpdateSecurityStampAsync(user);
        tokenCache.Clear();
        events.Append(db, actor.Name, AuthEventKinds.UserRoleChanged, AuthEventKinds.UserSubjectType, user.Id, $"{actor.Name} made {user.Email} {role}",
            payload: new { from = Roles.Top(current), to = role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Ok;
    }

    public async Task<Result> SetDisabledAsync(Actor actor, string userId, bool disabled, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return NoSuchUser;
        }
        if (disabled && await users.IsInRoleAsync(user, Roles.Admin) && await IsLastAdminAsync(user))
        {
            return LastAdmin("This is the last admin; it cannot be disabled.");
        }
        user.IsDisabled = disabled;
        user.SecurityStamp = Guid.NewGuid().ToString();
        events.Append(db, actor.Name, disabled ? AuthEventKinds.UserDisabled : AuthEventKinds.UserEnabled, AuthEventKinds.UserSubjectType, user.Id,
            $"{actor.Name} {(disabled ? "disabled" : "enabled")} {user.Email}");
        var updated = await users.UpdateAsync(user);
        tokenCache.Clear();
        return updated.Succeeded ? Result.Ok : Invalid(Describe(updated));
    }

    /// <summary>Sets a new generated password and returns it, to be shown once to the admin.</summary>
    public async Task<Result<string>> ResetPasswordAsync(Actor actor, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return NoSuchUser;
        }
        var password = GeneratePassword();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded)
        {
            return Invalid(Describe(reset));
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        events.Append(db, actor.Name, AuthEventKinds.UserPasswordReset, AuthEventKinds.UserSubjectType, user.Id,
            $"{actor.Name} reset the password of {user.Email}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return password;
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

    private static Refusal NotCreated(string detail) => Refusal.Invalid(detail, "User not created");

    private static Refusal Invalid(string detail) => Refusal.Invalid(detail, "User not changed");

    private static Refusal NoSuchUser => Refusal.NotFound("No such user.", "No such user");

    private static Refusal LastAdmin(string detail) => Refusal.Conflict(detail, "The last admin");
}
