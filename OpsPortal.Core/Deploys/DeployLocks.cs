using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// Manual locks (one environment of a service) and the global freeze. Setting one takes the same
/// advisory locks <see cref="DeployStarter"/> takes, so a deploy either starts before the lock or is
/// refused by it, never slips past it. A singleton, one context per operation (ADR-001).
/// </summary>
public sealed class DeployLocks(IDbContextFactory<OpsDbContext> dbFactory, DeployGuard guard, EventLog events, TimeProvider clock)
{
    public const string FreezeKey = "opsportal.deploy-freeze";

    public async Task<List<DeployLock>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.DeployLocks.AsNoTracking().OrderBy(l => l.Service).ThenBy(l => l.Environment).ToListAsync(ct);
    }

    /// <summary>Locks one target (who may deploy it may lock it), or everything when both are <see cref="DeployLock.Everything"/> (Admins).</summary>
    public async Task<Result<DeployLock>> LockAsync(Actor actor, string service, string environment, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        reason = reason?.Trim() ?? "";
        if (reason.Length is 0 or > 500)
        {
            return Refusal.Invalid("Say why (1–500 characters): the people you block will read it.", "Reason required");
        }
        var freeze = service == DeployLock.Everything && environment == DeployLock.Everything;
        if (Refuse(actor, service, environment, freeze) is { } refusal)
        {
            return refusal;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TakeAdvisoryAsync(db, service, environment, freeze, ct);
        var existing = await db.DeployLocks.AsNoTracking().SingleOrDefaultAsync(l => l.Service == service && l.Environment == environment, ct);
        if (existing is not null)
        {
            return Refusal.Conflict(DeployGuard.Describe(existing), "Already locked");
        }
        var held = new DeployLock { Service = service, Environment = environment, Reason = reason, LockedBy = actor.Name, LockedAt = clock.GetUtcNow() };
        db.DeployLocks.Add(held);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, DeployEventKinds.Locked, DeployEventKinds.LockSubject, $"{service}/{environment}",
            freeze ? $"{actor.Name} froze all deploys: {reason}" : $"{actor.Name} locked {service}/{environment}: {reason}",
            freeze ? null : service, new { service, environment, reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return held;
    }

    public async Task<Result> UnlockAsync(Actor actor, long lockId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var held = await db.DeployLocks.SingleOrDefaultAsync(l => l.Id == lockId, ct);
        if (held is null)
        {
            return Refusal.NotFound("The lock was released already.", "No such lock");
        }
        if (Refuse(actor, held.Service, held.Environment, held.IsFreeze) is { } refusal)
        {
            return refusal;
        }
        db.DeployLocks.Remove(held);
        events.Append(db, actor.Name, DeployEventKinds.Unlocked, DeployEventKinds.LockSubject, $"{held.Service}/{held.Environment}",
            held.IsFreeze ? $"{actor.Name} lifted the deploy freeze" : $"{actor.Name} unlocked {held.Service}/{held.Environment}",
            held.IsFreeze ? null : held.Service, new { held.Service, held.Environment, held.Reason, held.LockedBy });
        await db.SaveChangesAsync(ct);
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
    public static string TargetKey(string service, string environment) => $"opsportal.deploy:{service}/{environment}";
}
