using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Ends a deploy: status, exit code and outcome, the event on the spine and the ticket's outcome in
/// one transaction, then the webhook. Used by the runner and by crash recovery alike, and only ever
/// from running (or queued) to a final state, so two processes cannot both end one deploy.
/// </summary>
public sealed class DeployCompletion(
    IDbContextFactory<OpsDbContext> dbFactory,
    EventLog events,
    DeployTickets tickets,
    DeployWebhook webhook,
    TimeProvider clock)
{
    /// <summary>Who ends a deploy: the runner, or crash recovery, on another person's behalf.</summary>
    public static readonly Actor Runner = Actor.System("deploys");

    /// <returns>False when the deploy had already ended (someone else finished it).</returns>
    internal async Task<bool> FinishAsync(long deployId, string status, int? exitCode, string outcome, Actor actor, CancellationToken ct = default)
    {
        Deploy deploy;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var found = await db.Deploys.FromSql($"SELECT * FROM deploys WHERE id = {deployId} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (found is null || !found.IsActive)
            {
                return false;
            }
            deploy = found;
            deploy.Status = status;
            deploy.ExitCode = exitCode;
            deploy.Outcome = outcome;
            deploy.FinishedAt = clock.GetUtcNow();
            deploy.StartedAt ??= deploy.FinishedAt;
            events.Append(db, actor.Name, DeployEventKinds.Finished(status), DeployEventKinds.Subject, DeployStarter.Id(deploy),
                $"{DeployStarter.Describe(deploy)} {status}: {outcome}", deploy.Service,
                new { deploy.Action, deploy.Version, deploy.PreviousVersion, deploy.Environment, status, exitCode, deploy.TicketKey, seconds = deploy.Duration?.TotalSeconds });
            await tickets.RecordOutcomeAsync(db, deploy, actor, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await webhook.NotifyAsync(deploy, DeployWebhook.Moment.Finished);
        return true;
    }
}
