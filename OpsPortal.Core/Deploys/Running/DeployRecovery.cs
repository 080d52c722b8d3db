using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Ends deploys whose runner died, so their target unlocks, every <see cref="DeployOptions.HeartbeatInterval"/>
/// on every node that runs deploys. A runner on this machine is checked exactly (<see cref="RunnerIdentity"/>):
/// alive, its deploy is left alone whatever its heartbeat says; dead, its deploy ends once the script's
/// process group is gone (the launcher stops it within the kill grace of the runner's death) or its
/// heartbeat is older than <see cref="DeployOptions.StaleAfter"/>. A runner elsewhere is judged by its
/// heartbeat alone. Deploys end as <c>interrupted</c> with the output they had, and are never re-run:
/// the job Hangfire may re-deliver finds the deploy no longer queued and does nothing.
/// </summary>
internal sealed partial class DeployRecovery(
    IDbContextFactory<OpsDbContext> dbFactory,
    DeployCompletion completion,
    IOptions<DeployOptions> options,
    RunnerIdentity self,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<DeployRecovery> logger) : BackgroundLoop(health, clock, logger)
{
    public const string Loop = "deploys.recovery";

    protected override string LoopName => Loop;

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, Clock);
        do
        {
            await SweepAsync(stoppingToken);
            MarkHealthy();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>The ids of the deploys it marked interrupted.</returns>
    public async Task<IReadOnlyList<long>> SweepAsync(CancellationToken ct)
    {
        var staleBefore = Clock.GetUtcNow() - options.Value.StaleAfter;
        List<Deploy> running;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            running = await db.Deploys.AsNoTracking().Where(d => d.Status == DeployStatus.Running).ToListAsync(ct);
        }
        var ended = new List<long>();
        foreach (var deploy in running)
        {
            if (Verdict(deploy, deploy.HeartbeatAt is null || deploy.HeartbeatAt < staleBefore) is not { } why)
            {
                continue;
            }
            if (await completion.FinishAsync(deploy.Id, DeployStatus.Interrupted, null, why, DeployCompletion.Runner, ct))
            {
                LogInterrupted(Logger, deploy.Id, deploy.Runner, why);
                ended.Add(deploy.Id);
            }
        }
        return ended;
    }

    /// <summary>Why the deploy is over, or null while it may still run.</summary>
    private string? Verdict(Deploy deploy, bool stale)
    {
        // A starved thread pool can delay this process's own heartbeats; its own runs are alive regardless.
        // One of its own that it no longer runs (claimed, then the job died) is judged by its heartbeat.
        var liveness = deploy.Runner == self.Value
            ? self.Running.ContainsKey(deploy.Id) ? RunnerLiveness.Alive : RunnerLiveness.Unknown
            : RunnerIdentity.Liveness(deploy.Runner);
        var since = deploy.HeartbeatAt is { } at ? $"{at:HH:mm:ss} UTC" : "its start";
        switch (liveness)
        {
            case RunnerLiveness.Alive:
                return null;
            case RunnerLiveness.Dead when deploy.ScriptGroup is { } group && OperatingSystem.IsLinux() && ProcFs.GroupMembers(group).Count == 0:
                return "the portal process running it stopped before it finished, and so did its script; it was not re-run";
            case RunnerLiveness.Dead when stale:
                if (deploy.ScriptGroup is { } left && OperatingSystem.IsLinux() && ProcFs.GroupMembers(left).Count > 0)
                {
                    LogGroupLingers(Logger, deploy.Id, left);
                }
                return $"the portal process running it stopped before it finished (no sign of life since {since}); it was not re-run";
            case RunnerLiveness.Unknown when stale:
                return $"no sign of life from the portal process running it since {since}; it was not re-run";
            default:
                return null;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Deploy {DeployId} marked interrupted (runner {Runner}): {Why}")]
    private static partial void LogInterrupted(ILogger logger, long deployId, string? runner, string why);

    [LoggerMessage(LogLevel.Warning, "Deploy {DeployId}: its runner is dead and its heartbeat expired, but process group {Group} still has processes; unlocking the target anyway")]
    private static partial void LogGroupLingers(ILogger logger, long deployId, int group);
}
