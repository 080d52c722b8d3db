using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys;

/// <summary>Who asks, with their highest role (<see cref="Roles.Top"/>).</summary>
public sealed record DeployActor(string Name, string Role);

/// <summary>Why a deploy may not start: a kind (HTTP status in the API) and a sentence for the person.</summary>
/// <param name="Overridable">The refusal gives way to a deploy that carries an override reason (the incident interlock).</param>
public sealed record DeployRefusal(RefusalKind Kind, string Title, string Detail, bool Overridable = false);

/// <summary>
/// What a check sees: the target's configuration, who asks, the transaction the deploy will be created in, and
/// the reason given to override a check that allows overrides (the incident interlock), if any.
/// </summary>
public sealed record DeployCheckContext(OpsDbContext Db, DeployActor Actor, EnvironmentConfig Target, string Action, string Version,
    string? OverrideReason = null);

/// <summary>
/// A further pre-deploy check another feature adds (e.g. "an open SEV1 on this service needs an override").
/// Register it in DI; <see cref="DeployGuard"/> runs every registered check after its own.
/// </summary>
public interface IDeployCheck
{
    Task<DeployRefusal?> CheckAsync(DeployCheckContext context, CancellationToken ct);
}

/// <summary>
/// Every rule a deploy or rollback must pass before it is created, in one place: the target exists,
/// the role is allowed, the version is valid, no manual lock or freeze holds, no other deploy of the
/// target is queued or running, then any <see cref="IDeployCheck"/> of other features. Called by
/// <see cref="DeployStarter"/> inside the transaction that creates the deploy, after it took the
/// target's advisory lock, so what the checks read cannot change before the insert.
/// </summary>
public sealed class DeployGuard(DeployConfigStore configs, IEnumerable<IDeployCheck> extraChecks)
{
    /// <summary>The target, or why it cannot be used (no database access: safe before a transaction).</summary>
    public (EnvironmentConfig? Target, DeployRefusal? Refusal) Resolve(DeployActor actor, string service, string environment)
    {
        var snapshot = configs.Current;
        if (snapshot.Config is null)
        {
            // The problems name files and folders of the server: Admins read them on the Deploys page.
            return (null, new DeployRefusal(RefusalKind.Conflict, "Deploys are not configured",
                "The deploy configuration could not be loaded; an admin sees why on the Deploys page."));
        }
        var target = snapshot.Config.Find(service, environment);
        if (target is null)
        {
            return (null, new DeployRefusal(RefusalKind.NotFound, "Unknown target",
                $"There is no environment '{environment}' for service '{service}' in the deploy configuration."));
        }
        return CanRun(actor, target)
            ? (target, null)
            : (null, new DeployRefusal(RefusalKind.Forbidden, "Not allowed",
                $"Deploying {service}/{environment} needs the {target.Role} role or higher; you are a {actor.Role}."));
    }

    /// <summary>The role rule alone, for showing or hiding buttons (the server still checks on every request).</summary>
    public static bool CanRun(DeployActor actor, EnvironmentConfig target) =>
        Roles.IsValid(actor.Role) && actor.Role != Roles.Viewer && Roles.Implied(actor.Role).Contains(target.Role);

    public async Task<DeployRefusal?> CheckAsync(DeployCheckContext context, CancellationToken ct)
    {
        if (DeployVersion.Problem(context.Version) is { } versionProblem)
        {
            return new DeployRefusal(RefusalKind.Invalid, "Invalid version", versionProblem);
        }
        var refusal = await LockRefusalAsync(context, ct) ?? await ActiveDeployRefusalAsync(context, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        foreach (var check in extraChecks)
        {
            if (await check.CheckAsync(context, ct) is { } extra)
            {
                return extra;
            }
        }
        return null;
    }

    private static async Task<DeployRefusal?> LockRefusalAsync(DeployCheckContext context, CancellationToken ct)
    {
        var t = context.Target;
        var locks = await context.Db.DeployLocks.AsNoTracking()
            .Where(l => (l.Service == DeployLock.Everything && l.Environment == DeployLock.Everything)
                || (l.Service == t.Service && l.Environment == t.Name))
            .ToListAsync(ct);
        var held = locks.OrderByDescending(l => l.IsFreeze).FirstOrDefault();
        return held is null ? null : new DeployRefusal(RefusalKind.Conflict, held.IsFreeze ? "Deploys are frozen" : "Target is locked", Describe(held));
    }

    public static string Describe(DeployLock held) => held.IsFreeze
        ? $"All deploys are frozen by {held.LockedBy} since {held.LockedAt:yyyy-MM-dd HH:mm} UTC: {held.Reason}"
        : $"{held.Service}/{held.Environment} is locked by {held.LockedBy} since {held.LockedAt:yyyy-MM-dd HH:mm} UTC: {held.Reason}";

    private static async Task<DeployRefusal?> ActiveDeployRefusalAsync(DeployCheckContext context, CancellationToken ct)
    {
        var t = context.Target;
        var active = await context.Db.Deploys.AsNoTracking()
            .Where(d => d.Service == t.Service && d.Environment == t.Name
                && (d.Status == DeployStatus.Queued || d.Status == DeployStatus.Running))
            .FirstOrDefaultAsync(ct);
        return active is null ? null : new DeployRefusal(RefusalKind.Conflict, "A deploy is already running", DescribeActive(active));
    }

    public static string DescribeActive(Deploy active) =>
        $"{active.Service}/{active.Environment} is busy: {active.Action} #{active.Id} of {active.Version} by {active.RequestedBy} " +
        $"is {active.Status} since {(active.StartedAt ?? active.RequestedAt):HH:mm:ss} UTC.";
}
