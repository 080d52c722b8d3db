using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys;

/// <summary>Deploys' own refusal detail: an interlock that gives way to a deploy carrying an override reason.</summary>
public static class DeployRefusals
{
    private const string OverridableKey = "overridable";

    /// <summary>Marks <paramref name="refusal"/> as one an override reason lifts; the API shows it as <c>"overridable": true</c>.</summary>
    public static Refusal AsOverridable(this Refusal refusal) => refusal.With(OverridableKey, true);

    public static bool IsOverridable(this Refusal refusal) =>
        refusal.Extensions.TryGetValue(OverridableKey, out var value) && value is true;
}

/// <summary>
/// What a check sees: the target's configuration, who asks, the transaction the deploy will be created in, and
/// the reason given to override a check that allows overrides (the incident interlock), if any.
/// </summary>
public sealed record DeployCheckContext(OpsDbContext Db, Actor Actor, EnvironmentConfig Target, string Action, string Version,
    string? OverrideReason = null);

/// <summary>
/// A further pre-deploy check another feature adds (e.g. "an open SEV1 on this service needs an override").
/// Register it in DI (a singleton); <see cref="DeployGuard"/> runs every registered check after its own.
/// </summary>
public interface IDeployCheck
{
    Task<Result> CheckAsync(DeployCheckContext context, CancellationToken ct);
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
    public Result<EnvironmentConfig> Resolve(Actor actor, string service, string environment)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var snapshot = configs.Current;
        if (snapshot.Config is null)
        {
            return Refusal.Conflict("The deploy configuration could not be loaded: " + string.Join("; ", snapshot.Problems),
                "Deploys are not configured");
        }
        var target = snapshot.Config.Find(service, environment);
        if (target is null)
        {
            return Refusal.NotFound($"There is no environment '{environment}' for service '{service}' in {snapshot.Path}.", "Unknown target");
        }
        return CanRun(actor, target)
            ? target
            : Refusal.Forbidden($"Deploying {service}/{environment} needs the {target.Role} role or higher; you are a {actor.Role}.");
    }

    /// <summary>The role rule alone, for showing or hiding buttons (the server still checks on every request).</summary>
    public static bool CanRun(Actor actor, EnvironmentConfig target)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(target);
        return Roles.IsValid(actor.Role) && actor.Role != Roles.Viewer && actor.Has(target.Role);
    }

    public async Task<Result> CheckAsync(DeployCheckContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (DeployVersion.Problem(context.Version) is { } versionProblem)
        {
            return Refusal.Invalid(versionProblem, "Invalid version");
        }
        var refusal = await LockRefusalAsync(context, ct) ?? await ActiveDeployRefusalAsync(context, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        foreach (var check in extraChecks)
        {
            if ((await check.CheckAsync(context, ct)).Refusal is { } extra)
            {
                return extra;
            }
        }
        return Result.Ok;
    }

    private static async Task<Refusal?> LockRefusalAsync(DeployCheckContext context, CancellationToken ct)
    {
        var t = context.Target;
        var locks = await context.Db.DeployLocks.AsNoTracking()
            .Where(l => (l.Service == DeployLock.Everything && l.Environment == DeployLock.Everything)
                || (l.Service == t.Service && l.Environment == t.Name))
            .ToListAsync(ct);
        var held = locks.OrderByDescending(l => l.IsFreeze).FirstOrDefault();
        return held is null ? null : Refusal.Conflict(Describe(held), held.IsFreeze ? "Deploys are frozen" : "Target is locked");
    }

    public static string Describe(DeployLock held)
    {
        ArgumentNullException.ThrowIfNull(held);
        return held.IsFreeze
            ? $"All deploys are frozen by {held.LockedBy} since {held.LockedAt:yyyy-MM-dd HH:mm} UTC: {held.Reason}"
            : $"{held.Service}/{held.Environment} is locked by {held.LockedBy} since {held.LockedAt:yyyy-MM-dd HH:mm} UTC: {held.Reason}";
    }

    private static async Task<Refusal?> ActiveDeployRefusalAsync(DeployCheckContext context, CancellationToken ct)
    {
        var t = context.Target;
        var active = await context.Db.Deploys.AsNoTracking()
            .Where(d => d.Service == t.Service && d.Environment == t.Name
                && (d.Status == DeployStatus.Queued || d.Status == DeployStatus.Running))
            .FirstOrDefaultAsync(ct);
        return active is null ? null : Refusal.Conflict(DescribeActive(active), "A deploy is already running");
    }

    public static string DescribeActive(Deploy active)
    {
        ArgumentNullException.ThrowIfNull(active);
        return $"{active.Service}/{active.Environment} is busy: {active.Action} #{active.Id} of {active.Version} by {active.RequestedBy} " +
            $"is {active.Status} since {(active.StartedAt ?? active.RequestedAt):HH:mm:ss} UTC.";
    }
}
