using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// When a lock holds: from now (or <see cref="StartsAt"/>) until <see cref="ExpiresAt"/> (for ever when null);
/// with <see cref="RepeatsWeekly"/> the window comes back every seven days, at the same wall-clock times of
/// <see cref="TimeZone"/> (an IANA id; null: UTC).
/// </summary>
public sealed record DeployLockSchedule(DateTimeOffset? StartsAt = null, DateTimeOffset? ExpiresAt = null, bool RepeatsWeekly = false,
    string? TimeZone = null)
{
    public static readonly DeployLockSchedule Now = new();
}

/// <summary>
/// Locks (one environment of a service) and freezes (everything), now or scheduled, with an optional expiry
/// and a weekly repeat (maintenance windows). Setting one takes the same advisory locks
/// <see cref="DeployStarter"/> and the runner's claim take, so a deploy either starts before the lock or is
/// refused by it, never slips past it. A singleton, one context per operation (ADR-001).
/// </summary>
public sealed class DeployLocks(IDbContextFactory<OpsDbContext> dbFactory, DeployGuard guard, EventLog events, TimeProvider clock)
{
    public const string FreezeKey = "opsportal.deploy-freeze";

    /// <summary>Locks that hold now or will again (expired ones are history, kept in the events only).</summary>
    public async Task<List<DeployLock>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var all = await db.DeployLocks.AsNoTracking().OrderBy(l => l.Service).ThenBy(l => l.Environment).ThenBy(l => l.StartsAt).ToListAsync(ct);
        return all.Where(l => l.NextWindow(now) is not null).ToList();
    }

    /// <summary>Locks one target (who may deploy it may lock it), or everything when both are <see cref="DeployLock.Everything"/> (Admins), from now on.</summary>
    internal Task<Result<DeployLock>> LockAsync(Actor actor, string service, string environment, string reason, CancellationToken ct = default) =>
        LockAsync(actor, service, environment, reason, DeployLockSchedule.Now, ct);

    /// <summary>A lock or freeze with an expiry, a later start or a weekly repeat (a maintenance window).</summary>
    public async Task<Result<DeployLock>> LockAsync(Actor actor, string service, string environment, string reason, DeployLockSchedule schedule,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(schedule);
        reason = reason?.Trim() ?? "";
        if (reason.Length is 0 or > 500)
        {
            return Refusal.Invalid("Say why (1–500 characters): the people you block will read it.", "Reason required");
        }
        var now = clock.GetUtcNow();
        if (ScheduleProblem(schedule, now) is { } problem)
        {
            return Refusal.Invalid(problem, "Invalid schedule");
        }
        var freeze = service == DeployLock.Everything && environment == DeployLock.Everything;
        if (Refuse(actor, service, environment, freeze) is { } refusal)
        {
            return refusal;
        }
        var held = new DeployLock
        {
            Service = service,
            Environment = environment,
            Reason = reason,
            LockedBy = actor.Name,
            LockedAt = now,
            // PostgreSQL's timestamptz takes UTC only; an API client may send +01:00.
            StartsAt = (schedule.StartsAt ?? now).ToUniversalTime(),
            ExpiresAt = schedule.ExpiresAt?.ToUniversalTime(),
            RepeatsWeekly = schedule.RepeatsWeekly,
            TimeZone = string.IsNullOrWhiteSpace(schedule.TimeZone) ? null : DeployTimeZones.Find(schedule.TimeZone)!.Id,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TakeAdvisoryAsync(db, service, environment, freeze, ct);
        if (!held.IsScheduled(now))
        {
            var holding = (await db.DeployLocks.AsNoTracking().Where(l => l.Service == service && l.Environment == environment).ToListAsync(ct))
                .FirstOrDefault(l => l.HoldsAt(now));
            if (holding is not null)
            {
                return Refusal.Conflict(DeployGuard.Describe(holding), "Already locked");
            }
        }
        db.DeployLocks.Add(held);
        await db.SaveChangesAsync(ct);
        var what = freeze ? "froze all deploys" : $"locked {service}/{environment}";
        events.Append(db, actor.Name, DeployEventKinds.Locked, DeployEventKinds.LockSubject, $"{service}/{environment}",
            $"{actor.Name} {what}{DeployGuard.When(held, now)}: {reason}",
            freeze ? null : service, new { service, environment, reason, held.StartsAt, held.ExpiresAt, held.RepeatsWeekly, held.TimeZone });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return held;
    }

    /// <summary>What is wrong with a schedule, in words, or null.</summary>
    public static string? ScheduleProblem(DeployLockSchedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (DeployTimeZones.Problem(schedule.TimeZone) is { } zone)
        {
            return zone;
        }
        var starts = schedule.StartsAt ?? now;
        if (!schedule.RepeatsWeekly && schedule.ExpiresAt is { } past && past <= now)
        {
            return $"The end ({past:yyyy-MM-dd HH:mm} UTC) is in the past.";
        }
        if (schedule.ExpiresAt is { } expires && expires <= starts)
        {
            return $"The end ({expires:yyyy-MM-dd HH:mm} UTC) must be after the start ({starts:yyyy-MM-dd HH:mm} UTC).";
        }
        if (!schedule.RepeatsWeekly)
        {
            return null;
        }
        if (schedule.StartsAt is null || schedule.ExpiresAt is null)
        {
            return "A weekly window needs its first start and end (e.g. Friday 16:00 to Monday 08:00 UTC).";
        }
        return schedule.ExpiresAt.Value - schedule.StartsAt.Value >= DeployLock.Week
            ? "A weekly window must be shorter than a week; for a lock that always holds, leave the end empty."
            : null;
    }

    public async Task<Result> UnlockAsync(Actor actor, long lockId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var held = await db.DeployLocks.SingleOrDefaultAsync(l => l.Id == lockId, ct);
        if (held is null)
        {
            return Refusal.NotFound("The lock was released already.", "No such lock");
        }
        if (Refuse(actor, held.Service, held.Environment, held.IsFreeze) is { } refusal)
        {
            return refusal;
        }
        await TakeAdvisoryAsync(db, held.Service, held.Environment, held.IsFreeze, ct);
        db.DeployLocks.Remove(held);
        events.Append(db, actor.Name, DeployEventKinds.Unlocked, DeployEventKinds.LockSubject, $"{held.Service}/{held.Environment}",
            held.IsFreeze ? $"{actor.Name} lifted the deploy freeze" : $"{actor.Name} unlocked {held.Service}/{held.Environment}",
            held.IsFreeze ? null : held.Service, new { held.Service, held.Environment, held.Reason, held.LockedBy });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Ok;
    }

    private Refusal? Refuse(Actor actor, string service, string environment, bool freeze)
    {
        if (freeze || actor.Role == Roles.Admin)
        {
            return actor.Role == Roles.Admin ? null : Refusal.Forbidden("Only Admins can freeze or unfreeze all deploys.");
        }
        return guard.Resolve(actor, service, environment).Refusal is { Kind: RefusalKind.NotFound or RefusalKind.Forbidden } refusal ? refusal : null;
    }

    private static async Task TakeAdvisoryAsync(OpsDbContext db, string service, string environment, bool freeze, CancellationToken ct)
    {
        if (freeze)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({FreezeKey}))", ct);
            return;
        }
        var key = TargetKey(service, environment);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({key}))", ct);
    }

    /// <summary>The advisory lock key of one target, shared with <see cref="DeployStarter"/>.</summary>
    internal static string TargetKey(string service, string environment) => $"opsportal.deploy:{service}/{environment}";
}
