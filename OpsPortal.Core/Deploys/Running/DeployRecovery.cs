using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Ends deploys whose runner died, so their target unlocks: at start-up, those run by a process of
/// this host that no longer exists (a restart after a crash is noticed at once); then, every few
/// seconds, those of any node whose heartbeat is older than <see cref="DeployOptions.StaleAfter"/>.
/// They become <c>interrupted</c> with the output they had. Nothing is ever re-run: the job that
/// Hangfire may re-deliver finds the deploy no longer queued and does nothing.
/// </summary>
public sealed partial class DeployRecovery(
    IDbContextFactory<OpsDbContext> dbFactory,
    DeployCompletion completion,
    IOptions<DeployOptions> options,
    RunnerIdentity self,
    TimeProvider clock,
    ILogger<DeployRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SweepAsync(startUp: true, stoppingToken);
            using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(startUp: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <returns>The ids of the deploys it marked interrupted.</returns>
    public async Task<IReadOnlyList<long>> SweepAsync(bool startUp, CancellationToken ct)
    {
        var staleBefore = clock.GetUtcNow() - options.Value.StaleAfter;
        List<Deploy> running;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            running = await db.Deploys.AsNoTracking().Where(d => d.Status == DeployStatus.Running).ToListAsync(ct);
        }
        var ended = new List<long>();
        // A starved thread pool can delay this process's own heartbeats; its own runs are alive regardless.
        foreach (var deploy in running.Where(d => !(d.Runner == self.Value && self.Running.ContainsKey(d.Id))))
        {
            var dead = startUp && RunnerIdentity.IsDeadLocalProcess(deploy.Runner);
            var stale = deploy.HeartbeatAt is null || deploy.HeartbeatAt < staleBefore;
            if (!dead && !stale)
            {
                continue;
            }
            var why = dead
                ? "the portal process running it stopped before it finished; it was not re-run"
                : $"no sign of life from the portal process running it since {deploy.HeartbeatAt:HH:mm:ss} UTC; it was not re-run";
            try
            {
                if (await completion.FinishAsync(deploy.Id, DeployStatus.Interrupted, null, why, DeployCompletion.Runner, ct))
                {
                    LogInterrupted(deploy.Id, deploy.Runner);
                    ended.Add(deploy.Id);
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or DbUpdateException)
            {
                LogFailed(ex, deploy.Id);
            }
        }
        return ended;
    }

    [LoggerMessage(LogLevel.Warning, "Deploy {DeployId} marked interrupted: its runner {Runner} is gone")]
    private partial void LogInterrupted(long deployId, string? runner);

    [LoggerMessage(LogLevel.Warning, "Could not mark deploy {DeployId} interrupted")]
    private partial void LogFailed(Exception ex, long deployId);
}
