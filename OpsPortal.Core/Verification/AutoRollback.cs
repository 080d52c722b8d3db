using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Verification;

/// <summary>
/// Rolls back a regressed deploy of a target with <c>auto_rollback: true</c>, through the same
/// <see cref="DeployStarter"/> a person uses (its locks, freeze and "latest deploy" rule apply), and says
/// so on the timeline. Idempotent: a rollback of the deploy that already exists (a crash between starting
/// it and recording it) is recorded instead of started again.
/// </summary>
internal sealed partial class AutoRollback(
    IDbContextFactory<OpsDbContext> dbFactory,
    DeployStarter starter,
    DeployQueries deploys,
    EventLog events,
    ILogger<AutoRollback> logger)
{
    private static readonly Actor Actor = Actor.System("deploy-verification");

    public async Task RunPendingAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pending = await db.DeployImpacts.AsNoTracking().Where(i => i.AutoRollback == AutoRollbackState.Pending).OrderBy(i => i.DeployId).ToListAsync(ct);
        foreach (var impact in pending)
        {
            await RollBackAsync(impact.DeployId, ct);
        }
    }

    private async Task RollBackAsync(long deployId, CancellationToken ct)
    {
        if (await deploys.RollbackOfAsync(deployId, ct) is { } id)
        {
            await RecordAsync(deployId, AutoRollbackState.Started, id, $"rollback #{id} was already started", ct);
            return;
        }
        var start = await starter.RollbackAsync(Actor, deployId, null, ct);
        if (start.TryGet(out var rollback, out var refusal))
        {
            await RecordAsync(deployId, AutoRollbackState.Started, rollback.Id,
                $"rolled back by itself (auto_rollback) to {rollback.Version}: rollback #{rollback.Id}", ct);
        }
        else
        {
            await RecordAsync(deployId, AutoRollbackState.Refused, null, $"could not roll back by itself (auto_rollback): {refusal.Message}", ct);
        }
    }

    private async Task RecordAsync(long deployId, string state, long? rollbackId, string detail, CancellationToken ct)
    {
        var deploy = await deploys.GetAsync(deployId, ct) ?? throw new InvalidOperationException($"Deploy {deployId} under verification is gone.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.DeployImpacts.Where(i => i.DeployId == deployId && i.AutoRollback == AutoRollbackState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AutoRollback, state).SetProperty(i => i.AutoRollbackDetail, detail)
                .SetProperty(i => i.RollbackDeployId, rollbackId), ct);
        if (changed == 0)
        {
            return;
        }
        events.Append(db, DeployVerification.ActorName,
            state == AutoRollbackState.Started ? VerificationEventKinds.AutoRolledBack : VerificationEventKinds.AutoRollbackRefused,
            VerificationEventKinds.SubjectType, DeployStarter.Id(deploy), $"{DeployStarter.Describe(deploy)} regressed and {detail}", deploy.Service,
            new { deploy.Environment, deploy.Version, rollbackId });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogAutoRollback(deployId, state, detail);
    }

    [LoggerMessage(LogLevel.Warning, "Deploy {DeployId} regressed; auto-rollback {State}: {Detail}")]
    private partial void LogAutoRollback(long deployId, string state, string detail);
}
