using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// Manual locks (one environment of a service) and the global freeze. Setting one takes the same
/// advisory locks <see cref="DeployStarter"/> takes, so a deploy either starts before the lock or is
/// refused by it, never slips past it.
/// </summary>
public sealed class DeployLocks(OpsDbContext db, DeployGuard guard, EventLog events, TimeProvider clock)
{
    public const string FreezeKey = "opsportal.deploy-freeze";

    public Task<List<DeployLock>> ListAsync(CancellationToken ct = default) =>
        db.DeployLocks.AsNoTracking().OrderBy(l => l.Service).ThenBy(l => l.Environment).ToListAsync(ct);

    /// <summary>Locks one target (who may deploy it may lock it), or everything when both are <see cref="DeployLock.Everything"/> (Admins).</summary>
    public async Task<(DeployLock? Lock, DeployRefusal? Refusal)> LockAsync(DeployActor actor, string service, string environment, string reason, CancellationToken ct = default)
    {
        reason = reason.Trim();
        if (reason.Length is 0 or > 500)
        {
            return (null, new DeployRefusal(RefusalKind.Invalid, "Reason required", "Say why (1–500 characters): the people you block will read it."));
        }
        var freeze = service == DeployLock.Everything && environment == DeployLock.Everything;
        if (Refuse(actor, service, environment, freeze) is { } refusal)
        {
            return (null, refusal);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TakeAdvisoryAsync(service, environment, freeze, ct);
        var existing = await db.DeployLocks.AsNoTracking().SingleOrDefaultAsync(l => l.Service == service && l.Environment == environment, ct);
        if (existing is not null)
        {
            return (null, new DeployRefusal(RefusalKind.Conflict, "Already locked", DeployGuard.Describe(existing)));
        }
        var held = new DeployLock { Service = service, Environment = environment, Reason = reason, LockedBy = actor.Name, LockedAt = clock.GetUtcNow() };
        db.DeployLocks.Add(held);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, DeployEventKinds.Locked, DeployEventKinds.LockSubject, $"{service}/{environment}",
            freeze ? $"{actor.Name} froze all deploys: {reason}" : $"{actor.Name} locked {service}/{environment}: {reason}",
            freeze ? null : service, new { service, environment, reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (held, null);
    }

    public async Task<DeployRefusal?> UnlockAsync(DeployActor actor, long lockId, CancellationToken ct = default)
    {
        var held = await db.DeployLocks.SingleOrDefaultAsync(l => l.Id == lockId, ct);
        if (held is null)
        {
            return new DeployRefusal(RefusalKind.NotFound, "No such lock", "The lock was released already.");
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
        return null;
    }

    private DeployRefusal? Refuse(DeployActor actor, string service, string environment, bool freeze)
    {
        if (freeze || actor.Role == Roles.Admin)
        {
            return actor.Role == Roles.Admin ? null
                : new DeployRefusal(RefusalKind.Forbidden, "Not allowed", "Only Admins can freeze or unfreeze all deploys.");
        }
        var (_, refusal) = guard.Resolve(actor, service, environment);
        return refusal is { Kind: RefusalKind.NotFound or RefusalKind.Forbidden } ? refusal : null;
    }

    private async Task TakeAdvisoryAsync(string service, string environment, bool freeze, CancellationToken ct)
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
