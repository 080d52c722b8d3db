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
public sealed class DeployGuard(DeployConfigStore configs, IEnumerable<IDeployCheck> extraChecks, TimeProvider clock)
{
    /// <summary>The target, or why it cannot be used (no database access: safe before a transaction).</summary>
    internal Result<EnvironmentConfig> Resolve(Actor actor, string service, string environment)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var snapshot = configs.Current;
        if (snapshot.Config is null)
        {
            // The problems name files and folders of the server: Admins read them on the Deploys page.
            return Refusal.Conflict("The deploy configuration could not be loaded; an admin sees why on the Deploys page.",
                "Deploys are not configured");
        }
        var target = snapshot.Config.Find(service, environment);
        if (target is null)
        {
            return Refusal.NotFound($"There is no environment '{environment}' for service '{service}' in the deploy configuration.", "Unknown target");
        }
        return CanRun(actor, target)
            ? target
            : Refusal.Forbidden($"Deploying {service}/{environment} needs the {target.Role} role or higher; you are a {actor.Role}.");
    }

    /// <summary>
    /// Where a promotion from <paramref name="from"/> goes: <paramref name="to"/> when given, else the environment after
    /// <paramref name="from"/> in the service's order in services.yaml (e.g. staging → production).
    /// </summary>
    internal Result<string> PromotionTarget(string service, string from, string? to)
    {
        var environments = configs.Current.Config?.Services.FirstOrDefault(s => s.Name == service)?.Environments;
        var index = environments?.ToList().FindIndex(e => e.Name == from) ?? -1;
        if (environments is null || index < 0)
        {
            return Refusal.NotFound($"There is no environment '{from}' for service '{service}' in the deploy configuration.", "Unknown target");
        }
        if (!string.IsNullOrWhiteSpace(to))
        {
            return to == from ? Refusal.Invalid($"Promote {from} to another environment.", "Same environment") : to;
        }
        return index + 1 < environments.Count
            ? environments[index + 1].Name
            : Refusal.Invalid($"{from} is the last environment of {service}; say where to promote to.", "No next environment");
    }

    /// <summary>The role rule alone, for showing or hiding buttons (the server still checks on every request).</summary>
    public static bool CanRun(Actor actor, EnvironmentConfig target)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(target);
        return Roles.IsValid(actor.Role) && actor.Role != Roles.Viewer && actor.Has(target.Role);
    }

    internal async Task<Result> CheckAsync(DeployCheckContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (DeployVersion.Problem(context.Version) is { } versionProblem)
        {
            return Refusal.Invalid(versionProblem, "Invalid version");
        }
        var refusal = LockRefusal(await HeldLockAsync(context.Db, context.Target.Service, context.Target.Name, clock.GetUtcNow(), ct))
            ?? await ActiveDeployRefusalAsync(context, ct);
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

    /// <summary>
    /// The lock or freeze holding on a target at <paramref name="at"/> (a freeze first), or null. The caller holds the
    /// target's advisory lock (<see cref="DeployStarter"/>, and the runner's claim for a deploy that waited in the queue).
    /// </summary>
    internal static async Task<DeployLock?> HeldLockAsync(OpsDbContext db, string service, string environment, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var locks = await db.DeployLocks.AsNoTracking()
            .Where(l => (l.Service == DeployLock.Everything && l.Environment == DeployLock.Everything)
                || (l.Service == service && l.Environment == environment))
            .ToListAsync(ct);
        return locks.Where(l => l.HoldsAt(at)).OrderByDescending(l => l.IsFreeze).ThenBy(l => l.Id).FirstOrDefault();
    }

    internal static Refusal? LockRefusal(DeployLock? held) =>
        held is null ? null : Refusal.Conflict(Describe(held), held.IsFreeze ? "Deploys are frozen" : "Target is locked");

    public static string Describe(DeployLock held)
    {
        ArgumentNullException.ThrowIfNull(held);
        var what = held.IsFreeze ? "All deploys are frozen" : $"{held.Service}/{held.Environment} is locked";
        return $"{what} by {held.LockedBy}{When(held, null)}: {held.Reason}";
    }

    /// <summary>" since …", " until …", " every week from … to …" — when a lock holds, in words (in the lock's zone, else UTC).</summary>
    internal static string When(DeployLock held, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(held);
        if (held.RepeatsWeekly && held.ExpiresAt is { } end)
        {
            return $" every week from {DeployTimeZones.Show(held.StartsAt, held.TimeZone, "ddd HH:mm", named: false)} to {DeployTimeZones.Show(end, held.TimeZone, "ddd HH:mm")}";
        }
        if (held.TimeZone is not null)
        {
            var since = now is { } at && held.StartsAt > at ? " from " : " since ";
            return since + DeployTimeZones.Show(held.StartsAt, held.TimeZone, "yyyy-MM-dd HH:mm")
                + (held.ExpiresAt is { } ends ? " until " + DeployTimeZones.Show(ends, held.TimeZone, "yyyy-MM-dd HH:mm") : "");
        }
        var from = now is { } n && held.StartsAt > n ? $" from {held.StartsAt:yyyy-MM-dd HH:mm}" : $" since {held.StartsAt:yyyy-MM-dd HH:mm}";
        return held.ExpiresAt is { } until ? $"{from} until {until:yyyy-MM-dd HH:mm} UTC" : $"{from} UTC";
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

    internal static string DescribeActive(Deploy active)
    {
        ArgumentNullException.ThrowIfNull(active);
        return $"{active.Service}/{active.Environment} is busy: {active.Action} #{active.Id} of {active.Version} by {active.RequestedBy} " +
            $"is {active.Status} since {(active.StartedAt ?? active.RequestedAt):HH:mm:ss} UTC.";
    }
}
