using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys;

/// <summary>The answer to a deploy, rollback or cancel request: the deploy, or why not.</summary>
public sealed record DeployStart(Deploy? Deploy, DeployRefusal? Refusal)
{
    public static DeployStart Refused(DeployRefusal refusal) => new(null, refusal);
}

/// <summary>
/// Creates deploys and rollbacks (after <see cref="DeployGuard"/>) and hands them to the runner
/// queue; cancels them. The UI and the API both come through here, so they enforce the same rules.
/// </summary>
public sealed class DeployStarter(
    OpsDbContext db,
    DeployGuard guard,
    DeployTickets tickets,
    EventLog events,
    IBackgroundJobClient jobs,
    TimeProvider clock)
{
    public Task<DeployStart> DeployAsync(DeployActor actor, string service, string environment, string? version, string? ticket, CancellationToken ct = default) =>
        DeployAsync(actor, service, environment, version, ticket, null, ct);

    /// <summary>A deploy with a reason to override a check that allows it (an open SEV1/SEV2 incident on the service).</summary>
    public Task<DeployStart> DeployAsync(DeployActor actor, string service, string environment, string? version, string? ticket,
        string? overrideReason, CancellationToken ct = default) =>
        StartAsync(actor, service, environment, version ?? "", ticket, DeployAction.Deploy, null, overrideReason, ct);

    /// <summary>
    /// Rolls back the target of deploy <paramref name="deployId"/> (which must be its latest) to the
    /// last good version: the newest succeeded version other than the one that deploy brought.
    /// </summary>
    public async Task<DeployStart> RollbackAsync(DeployActor actor, long deployId, string? ticket, CancellationToken ct = default)
    {
        var of = await db.Deploys.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deployId, ct);
        if (of is null)
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.NotFound, "Unknown deploy", $"There is no deploy #{deployId}."));
        }
        var latest = await db.Deploys.AsNoTracking()
            .Where(d => d.Service == of.Service && d.Environment == of.Environment)
            .OrderByDescending(d => d.Id).Select(d => d.Id).FirstAsync(ct);
        if (latest != of.Id)
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.Conflict, "Not the latest deploy",
                $"#{of.Id} is not the latest deploy of {of.Service}/{of.Environment} (#{latest} is); roll back from there."));
        }
        var good = await LastGoodVersionAsync(of.Service, of.Environment, ct);
        if (good is null)
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.Conflict, "Nothing to roll back to",
                $"{of.Service}/{of.Environment} has no earlier successful deploy of another version."));
        }
        return await StartAsync(actor, of.Service, of.Environment, good, ticket, DeployAction.Rollback, of.Id, null, ct);
    }

    /// <summary>The newest succeeded version that differs from the version of the target's latest finished deploy.</summary>
    public async Task<string?> LastGoodVersionAsync(string service, string environment, CancellationToken ct = default)
    {
        var target = db.Deploys.AsNoTracking().Where(d => d.Service == service && d.Environment == environment);
        var latestVersion = await target.Where(d => d.Status != DeployStatus.Queued && d.Status != DeployStatus.Running)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);
        return await target.Where(d => d.Status == DeployStatus.Succeeded && d.Version != latestVersion)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);
    }

    private async Task<DeployStart> StartAsync(DeployActor actor, string service, string environment, string version,
        string? ticket, string action, long? rollbackOf, string? overrideReason, CancellationToken ct)
    {
        var (target, refusal) = guard.Resolve(actor, service, environment);
        if (target is null)
        {
            return DeployStart.Refused(refusal!);
        }
        if (ticket is not null && !DeployTickets.LooksLikeKey(ticket))
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.Invalid, "Invalid ticket", $"'{ticket}' is not a ticket key such as OPS-12."));
        }
        Deploy deploy;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await LockTargetAsync(service, environment, ct);
            if (await guard.CheckAsync(new DeployCheckContext(db, actor, target, action, version, overrideReason), ct) is { } blocked)
            {
                return DeployStart.Refused(blocked);
            }
            var current = await CurrentVersionAsync(service, environment, ct);
            deploy = new Deploy
            {
                Service = service,
                Environment = environment,
                Action = action,
                Version = version,
                PreviousVersion = current,
                Status = DeployStatus.Queued,
                RequestedBy = actor.Name,
                RequestedAt = clock.GetUtcNow(),
                Script = Path.GetRelativePath(target.ScriptsFolder, target.ScriptFor(action)),
                RollbackOf = rollbackOf,
                DiffUrl = target.DiffUrl(current, version),
            };
            db.Deploys.Add(deploy);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // The advisory lock makes this unreachable between portals; the index is the backstop for anything else.
                return DeployStart.Refused(new DeployRefusal(RefusalKind.Conflict, "A deploy is already running", $"{service}/{environment} is busy."));
            }
            // Ticket and event commit with the deploy, or not at all.
            var ticketRefusal = await tickets.AttachAsync(db, deploy, target, ticket, new Auth.Actor(actor.Name, actor.Role), ct);
            if (ticketRefusal is not null)
            {
                return DeployStart.Refused(ticketRefusal);
            }
            events.Append(db, actor.Name, DeployEventKinds.Queued, DeployEventKinds.Subject, Id(deploy),
                $"{actor.Name} queued {Describe(deploy)}", service,
                new { deploy.Action, deploy.Version, deploy.PreviousVersion, deploy.Environment, deploy.TicketKey });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        jobs.Create<DeployJob>(j => j.RunAsync(deploy.Id, CancellationToken.None), new EnqueuedState(DeployJob.Queue));
        return new DeployStart(deploy, null);
    }

    /// <summary>Requests cancel; the runner (in whichever process) hears it through the event and stops the script.</summary>
    public async Task<DeployStart> CancelAsync(DeployActor actor, long deployId, CancellationToken ct = default)
    {
        var deploy = await db.Deploys.SingleOrDefaultAsync(d => d.Id == deployId, ct);
        if (deploy is null)
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.NotFound, "Unknown deploy", $"There is no deploy #{deployId}."));
        }
        var (_, refusal) = guard.Resolve(actor, deploy.Service, deploy.Environment);
        if (refusal is { Kind: RefusalKind.Forbidden })
        {
            return DeployStart.Refused(refusal);
        }
        if (!deploy.IsActive)
        {
            return DeployStart.Refused(new DeployRefusal(RefusalKind.Conflict, "Not running", $"Deploy #{deploy.Id} has already {deploy.Status}."));
        }
        if (deploy.CancelRequestedBy is null)
        {
            deploy.CancelRequestedBy = actor.Name;
            events.Append(db, actor.Name, DeployEventKinds.CancelRequested, DeployEventKinds.Subject, Id(deploy),
                $"{actor.Name} asked to cancel {Describe(deploy)}", deploy.Service);
            await db.SaveChangesAsync(ct);
        }
        return new DeployStart(deploy, null);
    }

    private async Task LockTargetAsync(string service, string environment, CancellationToken ct)
    {
        // Shared on the freeze key (taken exclusively when a freeze is set), exclusive on the target.
        var key = DeployLocks.TargetKey(service, environment);
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock_shared(hashtext({DeployLocks.FreezeKey})), pg_advisory_xact_lock(hashtext({key}))", ct);
    }

    private Task<string?> CurrentVersionAsync(string service, string environment, CancellationToken ct) =>
        db.Deploys.AsNoTracking()
            .Where(d => d.Service == service && d.Environment == environment && d.Status == DeployStatus.Succeeded)
            .OrderByDescending(d => d.Id).Select(d => d.Version).FirstOrDefaultAsync(ct);

    internal static string Id(Deploy d) => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Describe(Deploy d) => d.Action == DeployAction.Rollback
        ? $"rollback #{d.Id} of {d.Service}/{d.Environment} to {d.Version}"
        : $"deploy #{d.Id} of {d.Service} {d.Version} to {d.Environment}";
}
