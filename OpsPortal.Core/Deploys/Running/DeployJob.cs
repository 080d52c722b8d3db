using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Runs one deploy, on the <see cref="Queue"/> queue. Never retried: a deploy runs at most once. The
/// first thing it does is move the deploy from queued to running, in one conditional UPDATE; if that
/// finds nothing (Hangfire re-delivering the job of a portal that died, a cancel before start), it
/// does nothing, which is what makes an interrupted deploy never re-run by itself.
/// </summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed partial class DeployJob(
    IDbContextFactory<OpsDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    DeployConfigStore configs,
    DeployCompletion completion,
    DeployWebhook webhook,
    EventLog events,
    EventNotifier notifier,
    RunnerIdentity runner,
    IOptions<DeployOptions> options,
    TimeProvider clock,
    ILogger<DeployJob> logger)
{
    public const string Queue = "deploys";

    [Queue(Queue)]
    public async Task RunAsync(long deployId, CancellationToken shutdown)
    {
        Deploy? deploy;
        try
        {
            deploy = await ClaimAsync(deployId);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or DbUpdateException)
        {
            // Never retried, so never left queued either: a queued deploy whose job is gone would hold its target forever.
            LogClaimFailed(ex, deployId);
            await completion.FinishAsync(deployId, DeployStatus.Failed, null, "the runner could not start it: the database did not answer", DeployCompletion.Runner, CancellationToken.None);
            return;
        }
        if (deploy is null)
        {
            LogNotClaimed(deployId);
            return;
        }
        var target = configs.Current.Config?.Find(deploy.Service, deploy.Environment);
        var scriptProblem = target is null
            ? $"{deploy.Service}/{deploy.Environment} is no longer in the deploy configuration"
            : ScriptPath.Check(target.ScriptsFolder, deploy.Script, out _) is { } problem ? $"script {deploy.Script} {problem}" : null;
        if (scriptProblem is not null)
        {
            await completion.FinishAsync(deploy.Id, DeployStatus.Failed, null, scriptProblem, DeployCompletion.Runner, CancellationToken.None);
            return;
        }
        await webhook.NotifyAsync(deploy, DeployWebhook.Moment.Started);
        var (status, exitCode, outcome) = await RunScriptAsync(deploy, target!, shutdown);
        // Not the shutdown token: a deploy stopped by shutdown must still be recorded as interrupted.
        // Who cancelled is in the outcome ("cancelled by …") and in their own cancel_requested event.
        await completion.FinishAsync(deploy.Id, status, exitCode, outcome, DeployCompletion.Runner, CancellationToken.None);
    }

    private async Task<Deploy?> ClaimAsync(long deployId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        var now = clock.GetUtcNow();
        var claimed = await db.Deploys
            .Where(d => d.Id == deployId && d.Status == DeployStatus.Queued && d.CancelRequestedBy == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeployStatus.Running)
                .SetProperty(d => d.StartedAt, now).SetProperty(d => d.HeartbeatAt, now).SetProperty(d => d.Runner, runner.Value));
        if (claimed == 0)
        {
            await tx.RollbackAsync();
            // Cancelled while it waited in the queue: end it without starting anything.
            var waiting = await db.Deploys.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deployId && d.Status == DeployStatus.Queued);
            if (waiting?.CancelRequestedBy is { } by)
            {
                await completion.FinishAsync(deployId, DeployStatus.Cancelled, null, $"cancelled by {by} before it started", DeployCompletion.Runner);
            }
            return null;
        }
        var deploy = await db.Deploys.AsNoTracking().SingleAsync(d => d.Id == deployId);
        events.Append(db, deploy.RequestedBy, DeployEventKinds.Started, DeployEventKinds.Subject, DeployStarter.Id(deploy),
            $"{DeployStarter.Describe(deploy)} started", deploy.Service,
            new { deploy.Action, deploy.Version, deploy.PreviousVersion, deploy.Environment, deploy.TicketKey });
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return deploy;
    }

    private async Task<(string Status, int? ExitCode, string Outcome)> RunScriptAsync(Deploy deploy, EnvironmentConfig target, CancellationToken shutdown)
    {
        var opts = options.Value;
        var sink = new DeployOutputSink(dataSource, deploy.Id, new SecretMasker(configs.Current.Config!.Secrets), opts);
        var writing = sink.RunAsync();
        using var cancel = new CancellationTokenSource();
        string? cancelledBy = null;
        using var subscription = notifier.Subscribe(ev =>
        {
            if (ev.Kind == DeployEventKinds.CancelRequested && ev.SubjectId == DeployStarter.Id(deploy))
            {
                cancelledBy ??= ev.Actor;
                cancel.Cancel();
            }
            return Task.CompletedTask;
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, shutdown);
        stop.CancelAfter(target.Timeout);
        var lost = false;
        var heartbeat = HeartbeatAsync(deploy.Id, by =>
        {
            // Null: another node found no sign of life from us and ended the deploy; stop the script rather than run on unrecorded.
            lost = by is null;
            cancelledBy ??= by;
            cancel.Cancel();
        }, stop.Token);
        runner.Running[deploy.Id] = 0;

        (string, int?, string) result;
        ScriptRun? run = null;
        try
        {
            run = ScriptRun.Start(Path.Combine(target.ScriptsFolder, deploy.Script), target.ScriptsFolder, DeployPlan.Of(deploy).Variables(deploy.Id), sink, clock);
            var exit = await run.WaitAsync(stop.Token);
            result = exit == 0
                ? (DeployStatus.Succeeded, 0, ScriptRun.Describe(0))
                : (DeployStatus.Failed, exit, ScriptRun.Describe(exit));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await run!.TerminateAsync(shutdown.IsCancellationRequested ? TimeSpan.FromSeconds(2) : opts.CancelGrace);
            result = shutdown.IsCancellationRequested
                ? (DeployStatus.Interrupted, null, "the portal stopped during the deploy; the script was stopped")
                : lost
                    ? (DeployStatus.Interrupted, null, "another portal process declared this deploy interrupted; the script was stopped")
                : cancel.IsCancellationRequested
                    ? (DeployStatus.Cancelled, null, $"cancelled by {cancelledBy ?? "someone"}")
                    : (DeployStatus.Failed, null, $"timed out after {target.Timeout}; the script was stopped");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            result = (DeployStatus.Failed, null, $"the script could not start: {ex.Message}");
        }
        finally
        {
            sink.Complete();
            await writing;
            await stop.CancelAsync();
            await heartbeat;
            runner.Running.TryRemove(deploy.Id, out _);
            run?.Dispose();
        }
        deploy.CancelRequestedBy = cancelledBy;
        return result;
    }

    /// <summary>Proves this process alive (see <see cref="DeployRecovery"/>) and picks up a cancel whose event was missed.</summary>
    private async Task HeartbeatAsync(long deployId, Action<string?> onCancel, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await using var cmd = dataSource.CreateCommand(
                        "UPDATE deploys SET heartbeat_at = now() WHERE id = $1 AND status = 'running' RETURNING coalesce(cancel_requested_by, '')");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
                    switch (await cmd.ExecuteScalarAsync(ct))
                    {
                        case null:
                            onCancel(null);
                            return;
                        case string { Length: > 0 } by:
                            onCancel(by);
                            break;
                    }
                }
                catch (NpgsqlException ex)
                {
                    LogHeartbeatFailed(ex, deployId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(LogLevel.Information, "Deploy {DeployId} was not queued any more (finished, interrupted or cancelled); nothing to run")]
    private partial void LogNotClaimed(long deployId);

    [LoggerMessage(LogLevel.Error, "Deploy {DeployId} could not be started")]
    private partial void LogClaimFailed(Exception ex, long deployId);

    [LoggerMessage(LogLevel.Warning, "Heartbeat of deploy {DeployId} failed")]
    private partial void LogHeartbeatFailed(Exception ex, long deployId);
}
