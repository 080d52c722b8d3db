using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Auth;

/// <summary>How a sign-in attempt arrived, for the audit trail.</summary>
public enum SignInChannel
{
    /// <summary>The sign-in form (a cookie follows).</summary>
    Form,

    /// <summary><c>POST /api/auth/tokens</c> (a token follows).</summary>
    Api,
}

/// <summary>
/// The one password check of the portal, for the sign-in form and for <c>POST /api/auth/tokens</c>,
/// and the one place that writes <c>user.signed_in</c>, <c>user.sign_in_failed</c> and
/// <c>user.locked_out</c>. Three rules (docs/security.md):
/// <list type="bullet">
/// <item>Throttled first (<see cref="SignInThrottle"/>): a flood gets 429 before any hashing.</item>
/// <item>Failures are counted atomically in the database: an attempt reserves a slot
/// (<c>access_failed_count + 1</c>, only while the account is not locked and below the limit) before
/// its password is evaluated, so concurrent guesses cannot all be evaluated, on one node or many.</item>
/// <item>Unknown, wrong, locked and disabled all get the same answer after exactly one password
/// hash (a dummy one where there is nothing real to check), so neither the text nor the time
/// tells whether an account exists.</item>
/// </list>
/// </summary>
public sealed partial class SignInService(
    IDbContextFactory<OpsDbContext> dbFactory,
    IPasswordHasher<AppUser> hasher,
    ILookupNormalizer normalizer,
    SignInThrottle throttle,
    EventLog events,
    TimeProvider clock,
    IOptions<AuthOptions> options,
    ILogger<SignInService> logger)
{
    /// <summary>The one answer for every failed attempt: it must not say which of the reasons applies.</summary>
    public static readonly Refusal Failed = Refusal.Unauthenticated(
        "Wrong email or password. Repeated wrong passwords lock an account for a while; an admin can unlock it by resetting the password.");

    private static readonly AppUser Nobody = new();
    private readonly SemaphoreSlim _checks = new(Math.Max(4, Environment.ProcessorCount * 2));
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString("N")));

    /// <summary>The user whose password this is, or a refusal (<see cref="Failed"/>, or Throttled with a retry time).</summary>
    public async Task<Result<AppUser>> CheckPasswordAsync(string? email, string? password, string? clientAddress,
        SignInChannel channel, CancellationToken ct = default)
    {
        email = email?.Trim() ?? "";
        if (email.Length is 0 or > 256 || string.IsNullOrEmpty(password) || password.Length > 1024)
        {
            return Failed;
        }
        var normalized = normalizer.NormalizeEmail(email) ?? email;
        if (throttle.TryAcquire(clientAddress, normalized) is { } wait)
        {
            LogThrottled(clientAddress, email);
            return Refusal.Throttled($"Too many sign-in attempts. Try again in {Math.Ceiling(wait.TotalSeconds)} seconds.", wait);
        }

        // A burst waits here, holding neither a database connection nor a core: a hundred attempts at
        // once must not take a hundred connections from PostgreSQL.
        await _checks.WaitAsync(ct);
        try
        {
            return await CheckAsync(email, normalized, password, clientAddress, channel, ct);
        }
        finally
        {
            _checks.Release();
        }
    }

    private async Task<Result<AppUser>> CheckAsync(string email, string normalized, string password, string? clientAddress,
        SignInChannel channel, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
        if (user?.PasswordHash is null)
        {
            HashDummy(password);
            LogUnknownAccount(clientAddress, email);
            return Failed;
        }
        var slot = await ReserveAttemptAsync(db, user.Id, ct);
        if (slot is null)
        {
            HashDummy(password);
            LogRefusedLocked(clientAddress, user.Email!);
            return Failed;
        }
        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        return verdict == PasswordVerificationResult.Failed
            ? await RecordFailureAsync(db, user, slot.Value, clientAddress, ct)
            : await RecordSuccessAsync(db, user, verdict == PasswordVerificationResult.SuccessRehashNeeded ? password : null,
                clientAddress, channel, ct);
    }

    /// <summary>The attempt's number since the last success or lockout, or null when the account takes no attempts now.</summary>
    private async Task<int?> ReserveAttemptAsync(OpsDbContext db, string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var max = options.Value.MaxFailedSignIns;
        var slots = await db.Database.SqlQuery<int>($"""
            UPDATE "AspNetUsers" SET access_failed_count = access_failed_count + 1
            WHERE id = {userId} AND NOT is_disabled AND (lockout_end IS NULL OR lockout_end <= {now}) AND access_failed_count < {max}
            RETURNING access_failed_count AS "Value"
            """).ToListAsync(ct);
        return slots.Count == 1 ? slots[0] : null;
    }

    private async Task<Result<AppUser>> RecordFailureAsync(OpsDbContext db, AppUser user, int slot, string? clientAddress, CancellationToken ct)
    {
        var actor = Actor.System("sign-in").Name;
        if (slot >= options.Value.MaxFailedSignIns)
        {
            var until = clock.GetUtcNow() + options.Value.LockoutDuration;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.LockoutEnd, until)
                .SetProperty(u => u.AccessFailedCount, 0), ct);
            events.Append(db, actor, AuthEventKinds.UserLockedOut, AuthEventKinds.UserSubjectType, user.Id,
                $"{user.Email} is locked out until {until:HH:mm} UTC after {slot} wrong passwords");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            LogLockedOut(clientAddress, user.Email!, slot);
        }
        else
        {
            events.Append(db, actor, AuthEventKinds.UserSignInFailed, AuthEventKinds.UserSubjectType, user.Id, $"Sign-in to {user.Email} failed: wrong password");
            await db.SaveChangesAsync(ct);
            LogWrongPassword(clientAddress, user.Email!, slot);
        }
        return Failed;
    }

    private async Task<Result<AppUser>> RecordSuccessAsync(OpsDbContext db, AppUser user, string? rehash, string? clientAddress,
        SignInChannel channel, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0), ct);
        if (rehash is not null)
        {
            var newHash = hasher.HashPassword(user, rehash);
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, newHash), ct);
            user.PasswordHash = newHash;
        }
        var via = channel == SignInChannel.Api ? " (API token)" : "";
        events.Append(db, user.Email!, AuthEventKinds.UserSignedIn, AuthEventKinds.UserSubjectType, user.Id, $"{user.Email} signed in{via}",
            payload: new { channel = channel.ToString().ToLowerInvariant() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        user.AccessFailedCount = 0;
        LogSignedIn(clientAddress, user.Email!, channel);
        return user;
    }

    // The same work as a real check, so an unknown or locked account answers in the same time.
    private void HashDummy(string password) => hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, password);

    [LoggerMessage(LogLevel.Information, "Sign-in: {Email} signed in from {Address} ({Channel})")]
    private partial void LogSignedIn(string? address, string email, SignInChannel channel);

    [LoggerMessage(LogLevel.Warning, "Sign-in: wrong password for {Email} from {Address} (attempt {Attempt})")]
    private partial void LogWrongPassword(string? address, string email, int attempt);

    [LoggerMessage(LogLevel.Warning, "Sign-in: {Email} locked out after {Attempts} wrong passwords, the last from {Address}")]
    private partial void LogLockedOut(string? address, string email, int attempts);

    [LoggerMessage(LogLevel.Warning, "Sign-in: attempt for locked or disabled {Email} from {Address} refused unevaluated")]
    private partial void LogRefusedLocked(string? address, string email);

    [LoggerMessage(LogLevel.Warning, "Sign-in: attempt for unknown account {Email} from {Address}")]
    private partial void LogUnknownAccount(string? address, string email);

    [LoggerMessage(LogLevel.Warning, "Sign-in: attempt for {Email} from {Address} throttled")]
    private partial void LogThrottled(string? address, string email);
}
