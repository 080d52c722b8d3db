using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// Plans, creates (after <see cref="DeployGuard"/>) and queues deploys and rollbacks; cancels them.
/// The UI and the API both come through here, so they enforce the same rules. A singleton: each
/// operation is one <see cref="OpsDbContext"/> and, for a start, one transaction (ADR-001).
/// </summary>
public sealed class DeployStarter(
    IDbContextFactory<OpsDbContext> dbFactory,
    DeployGuard guard,
    DeployTickets tickets,
    EventLog events,
    IBackgroundJobClient jobs,
    TimeProvider clock)
{
    internal Task<Result<Deploy>> DeployAsync(Actor actor, string service, string environment, string? version, string? ticket, CancellationToken ct = default) =>
        StartAsync(actor, DeployRequest.Deploy(service, environment, version, ticket), ct);

    /// <summary>A deploy with a reason to override a check that allows it (an open SEV1/SEV2 incident on the service).</summary>
    public Task<Result<Deploy>> DeployAsync(Actor actor, string service, string environment, string? version, string? ticket,
        string? overrideReason, CancellationToken ct = default) =>
        StartAsync(actor, DeployRequest.Deploy(service, environment, version, ticket, overrideReason), ct);

    /// <summary>
    /// Promotes the version <paramref name="from"/> runs (its last successful deploy) to <paramref name="to"/>, by default the
    /// environment after it in services.yaml: an ordinary deploy, with the same locks, interlocks, ticket rule and
    /// verification. <paramref name="version"/> is the version the person saw, refused when <paramref name="from"/> has moved on.
    /// </summary>
    public Task<Result<Deploy>> PromoteAsync(Actor actor, string service, string from, string? to, string? version, string? ticket,
        string? overrideReason = null, CancellationToken ct = default)
    {
        if (!guard.PromotionTarget(service, from, to).TryGet(out var target, out var refusal))
        {
            return Task.FromResult<Result<Deploy>>(refusal);
        }
        return StartAsync(actor, DeployRequest.Promote(service, from, target, version, ticket, overrideReason), ct);
    }

    /// <summary>
    /// Rolls back the target of deploy <paramref name="deployId"/> (which must be its latest) to the
    /// last good version: the newest succeeded version other than the one that deploy brought.
    /// </summary>
    public Task<Result<Deploy>> RollbackAsync(Actor actor, long deployId, string? ticket, CancellationToken ct = default) =>
        StartAsync(actor, DeployRequest.Rollback(deployId, ticket), ct);

    /// <summary>
    /// What <paramref name="request"/> would run, as the confirmation shows it: script, version,
    /// previous version and every <c>OPS_*</c> variable. Refused when the target is unknown, the
    /// actor may not deploy it, or there is nothing to roll back to. The start makes the same plan
    /// again inside its transaction, so a deploy that lands meanwhile is taken into account.
    /// </summary>
    public async Task<Result<DeployPlan>> PlanAsync(Actor actor, DeployRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await PlanAsync(db, actor, request, ct);
    }

    private async Task<Result<DeployPlan>> PlanAsync(OpsDbContext db, Actor actor, DeployRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        var (service, environment, version) = (request.Service, request.Environment, request.Version ?? "");
        string? rolledBackFrom = null;
        if (request.RollbackOf is { } of)
        {
            if (!(await RollbackTargetAsync(db, of, ct)).TryGet(out var rollback, out var notRollback))
            {
                return notRollback;
            }
            (service, environment, version, rolledBackFrom) = rollback;
        }
        if (!guard.Resolve(actor, service, environment).TryGet(out var target, out var refusal))
        {
            return refusal;
        }
        if (request.Ticket is { } ticket && !DeployTickets.LooksLikeKey(ticket))
        {
            return Refusal.Invalid($"'{ticket}' is not a ticket key such as OPS-12.", "Invalid ticket");
        }
        var current = rolledBackFrom ?? await CurrentVersionAsync(db, service, environment, ct);
        if (request.PromotedFrom is { } from)
        {
            if (!(await PromotedVersionAsync(db, request, from, current, ct)).TryGet(out version, out var notPromotable))
            {
                return notPromotable;
            }
        }
        return new DeployPlan(service, environment, request.Action, version, current,
            Path.GetRelativePath(target.ScriptsFolder, target.ScriptFor(request.Action)), request.Ticket,
            OpensTicket: request.Ticket is null && target.TicketRequired, actor.Name, target.DiffUrl(current, version), request.RollbackOf);
    }

    /// <summary>The version a promotion brings: what <paramref name="from"/> runs now, if the person saw that one and the target does not run it yet.</summary>
    private static async Task<Result<string>> PromotedVersionAsync(OpsDbContext db, DeployRequest request, string from, string? current, CancellationToken ct)
    {
        var source = await CurrentVersionAsync(db, request.Service, from, ct);
        if (source is null)
        {
            return Refusal.Conflict($"{request.Service}/{from} has no successful deploy to promote.", "Nothing to promote");
        }
        if (!string.IsNullOrEmpty(request.Version) && request.Version != source)
        {
            return Refusal.Conflict($"{request.Service}/{from} runs {source} now, not {request.Version}: look again before promoting.", "Version moved on")
                .With("currentVersion", source);
        }
        if (source == current)
        {
            return Refusal.Conflict($"{request.Service}/{request.Environment} already runs {source}, the version of {from}.", "Nothing to promote");
        }
        return source;
    }

    /// <summary>
    /// The target and version a rollback of deploy <paramref name="deployId"/> goes to, and the version it
    /// goes from: the rolled-back deploy's own version once its script started (a failed attempt may have
    /// left it half in place, and that is what the rollback undoes); null when it never started, and the
    /// last succeeded version is what runs.
    /// </summary>
    private async Task<Result<(string Service, string Environment, string Version, string? From)>> RollbackTargetAsync(OpsDbContext db, long deployId, CancellationToken ct)
    {
        var of = await db.Deploys.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deployId, ct);
        if (of is null)
        {
            return Refusal.NotFound($"There is no deploy #{deployId}.", "Unknown deploy");
        }
        var latest = await db.Deploys.AsNoTracking()
            .Where(d => d.Service == of.Service && d.Environment == of.Environment)
            .OrderByDescending(d => d.Id).Select(d => d.Id).FirstAsync(ct);
        if (latest != of.Id)
        {
            return Refusal.Conflict($"#{of.Id} is not the latest deploy of {of.Service}/{of.Environment} (#{latest} is); roll back from there.",
                "Not the latest deploy");
        }
        var good = await LastGoodVersionAsync(db, of.Service, of.Environment, ct);
        if (good is null)
        {
            return Refusal.Conflict($"{of.Service}/{of.Environment} has no earlier successful deploy of another version.", "Nothing to roll back to");
        }
        return (of.Service, of.Environment, good, of.StartedAt is null ? null : of.Version);
    }

    /// <summary>The newest succeeded version that differs from the version of the target's latest finished deploy.</summary>
    private static async Task<string?> LastGoodVersionAsync(OpsDbContext db, string service, string environment, CancellationToken ct)
    {
        var target = db.Deploys.AsNoTracking().Where(d => d.Service == service && d.Environment == environment);
        var latestVersion = await target.Where(d => d.Status != DeployStatus.Queued && d.Status != DeployStatus.Running)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);
        return await target.Where(d => d.Status == DeployStatus.Succeeded && d.Version != latestVersion)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);
    }

    private async Task<Result<Deploy>> StartAsync(Actor actor, DeployRequest request, CancellationToken ct)
    {
        Deploy deploy;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // A rollback's target comes from the deploy it rolls back; the lock is taken before the plan reads anything.
            var (service, environment) = (request.Service, request.Environment);
            if (request.RollbackOf is { } of && await db.Deploys.AsNoTracking().Where(d => d.Id == of)
                    .Select(d => new { d.Service, d.Environment }).SingleOrDefaultAsync(ct) is { } rolled)
            {
                (service, environment) = (rolled.Service, rolled.Environment);
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await LockTargetAsync(db, service, environment, ct);
            if (!(await PlanAsync(db, actor, request, ct)).TryGet(out var plan, out var refusal))
            {
                return refusal;
            }
            if (!guard.Resolve(actor, plan.Service, plan.Environment).TryGet(out var target, out refusal))
            {
                return refusal;
            }
            var checkedResult = await guard.CheckAsync(new DeployCheckContext(db, actor, target, plan.Action, plan.Version, request.OverrideReason), ct);
            if (checkedResult.Refusal is { } blocked)
            {
                return blocked;
            }
            deploy = new Deploy
            {
                Service = plan.Service,
                Environment = plan.Environment,
                Action = plan.Action,
                Version = plan.Version,
                PreviousVersion = plan.PreviousVersion,
                Status = DeployStatus.Queued,
                RequestedBy = plan.RequestedBy,
                RequestedAt = clock.GetUtcNow(),
                Script = plan.Script,
                RollbackOf = plan.RollbackOf,
                PromotedFrom = request.PromotedFrom,
                DiffUrl = plan.DiffUrl,
            };
            db.Deploys.Add(deploy);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // The advisory lock makes this unreachable between portals; the index is the backstop for anything else.
                return Refusal.Conflict($"{plan.Service}/{plan.Environment} is busy.", "A deploy is already running");
            }
            // Ticket and event commit with the deploy, or not at all.
            if ((await tickets.AttachAsync(db, deploy, target, plan.Ticket, actor, ct)).Refusal is { } ticketRefusal)
            {
                return ticketRefusal;
            }
            events.Append(db, actor.Name, DeployEventKinds.Queued, DeployEventKinds.Subject, Id(deploy),
                $"{actor.Name} queued {Describe(deploy)}", deploy.Service,
                new { deploy.Action, deploy.Version, deploy.PreviousVersion, deploy.Environment, deploy.TicketKey, deploy.PromotedFrom });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        jobs.Create<DeployJob>(j => j.RunAsync(deploy.Id, CancellationToken.None), new EnqueuedState(DeployJob.Queue));
        return deploy;
    }

    /// <summary>Requests cancel; the runner (in whichever process) hears it through the event and stops the script.</summary>
    public async Task<Result<Deploy>> CancelAsync(Actor actor, long deployId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deploy = await db.Deploys.SingleOrDefaultAsync(d => d.Id == deployId, ct);
        if (deploy is null)
        {
            return Refusal.NotFound($"There is no deploy #{deployId}.", "Unknown deploy");
        }
        if (guard.Resolve(actor, deploy.Service, deploy.Environment).Refusal is { Kind: RefusalKind.Forbidden } forbidden)
        {
            return forbidden;
        }
        if (!deploy.IsActive)
        {
            return Refusal.Conflict($"Deploy #{deploy.Id} has already {deploy.Status}.", "Not running");
        }
        if (deploy.CancelRequestedBy is null)
        {
            deploy.CancelRequestedBy = actor.Name;
            events.Append(db, actor.Name, DeployEventKinds.CancelRequested, DeployEventKinds.Subject, Id(deploy),
                $"{actor.Name} asked to cancel {Describe(deploy)}", deploy.Service);
            await db.SaveChangesAsync(ct);
        }
        return deploy;
    }

    /// <summary>The advisory locks of a start (and of the runner's claim): shared on the freeze key, exclusive on the target.</summary>
    internal static async Task LockTargetAsync(OpsDbContext db, string service, string environment, CancellationToken ct)
    {
        // Shared on the freeze key (taken exclusively when a freeze is set), exclusive on the target.
        var key = DeployLocks.TargetKey(service, environment);
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock_shared(hashtext({DeployLocks.FreezeKey})), pg_advisory_xact_lock(hashtext({key}))", ct);
    }

    private static Task<string?> CurrentVersionAsync(OpsDbContext db, string service, string environment, CancellationToken ct) =>
        db.Deploys.AsNoTracking()
            .Where(d => d.Service == service && d.Environment == environment && d.Status == DeployStatus.Succeeded)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);

    internal static string Id(Deploy d) => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Describe(Deploy d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.Action == DeployAction.Rollback
            ? $"rollback #{d.Id} of {d.Service}/{d.Environment} to {d.Version}"
            : d.PromotedFrom is { } from
                ? $"deploy #{d.Id} of {d.Service} {d.Version} to {d.Environment} (promoted from {from})"
                : $"deploy #{d.Id} of {d.Service} {d.Version} to {d.Environment}";
    }
}
