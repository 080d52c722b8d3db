using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Events;
using OpsPortal.Core.Processes;

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
    ProcessLauncher launcher,
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
        catch (Exception ex) when (DatabaseFaults.IsTransient(ex) || ex is DbUpdateException)
        {
            // Never retried, so never left queued either: a queued deploy whose job is gone would hold its target forever.
            LogClaimFailed(ex, deployId);
            await FinishAsync(deployId, DeployStatus.Failed, null, "the runner could not start it: the database did not answer", DeployCompletion.Runner, shutdown);
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
            await FinishAsync(deploy.Id, DeployStatus.Failed, null, scriptProblem, DeployCompletion.Runner, shutdown);
            return;
        }
        await webhook.NotifyAsync(deploy, DeployWebhook.Moment.Started);
        var (status, exitCode, outcome) = await RunScriptAsync(deploy, target!, shutdown);
        // Who cancelled is in the outcome ("cancelled by …") and in their own cancel_requested event.
        await FinishAsync(deploy.Id, status, exitCode, outcome, DeployCompletion.Runner, shutdown);
    }

    /// <summary>
    /// Records the end, retrying while the database is away: a deploy left "running" would hold its
    /// target until recovery noticed. Ending is idempotent (only from queued/running), so a retry after
    /// a lost answer does nothing twice. Once the portal is stopping it tries one last time and gives up;
    /// recovery (here after a restart, or on another node) then marks the deploy interrupted.
    /// </summary>
    private async Task FinishAsync(long deployId, string status, int? exitCode, string outcome, Actor actor, CancellationToken shutdown)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                // Not the shutdown token: a deploy stopped by shutdown must still be recorded as interrupted.
                await completion.FinishAsync(deployId, status, exitCode, outcome, actor, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (DatabaseFaults.IsTransient(ex))
            {
                LogFinishFailed(ex, deployId, backOff.TotalSeconds);
                if (shutdown.IsCancellationRequested)
                {
                    return;
                }
            }
            try
            {
                await Task.Delay(backOff, clock, shutdown);
            }
            catch (OperationCanceledException)
            {
            }
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task<Deploy?> ClaimAsync(long deployId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        if (await db.Deploys.AsNoTracking().Where(d => d.Id == deployId).Select(d => new { d.Service, d.Environment, d.Status })
                .SingleOrDefaultAsync() is { Status: DeployStatus.Queued } queued)
        {
            // A lock or freeze that began while the deploy waited in the queue holds it back, on whichever node claims it:
            // the same advisory locks as a start, and the same rule, read in this transaction.
            await DeployStarter.LockTargetAsync(db, queued.Service, queued.Environment, CancellationToken.None);
            if (await DeployGuard.HeldLockAsync(db, queued.Service, queued.Environment, clock.GetUtcNow(), CancellationToken.None) is { } held)
            {
                await tx.RollbackAsync();
                await completion.FinishAsync(deployId, DeployStatus.Cancelled, null,
                    $"not started: {DeployGuard.Describe(held)}", DeployCompletion.Runner);
                return null;
            }
        }
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
        var sink = new DeployOutputSink(dataSource, deploy.Id, new SecretMasker(configs.Current.Config!.Secrets), opts, logger);
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
        var lost = false;
        LaunchedProcess? run = null;
        var heartbeat = HeartbeatAsync(deploy.Id, () => run?.GroupId, by =>
        {
            // Null: another node found no sign of life from us and ended the deploy; stop the script rather than run on unrecorded.
            lost = by is null;
            cancelledBy ??= by;
            cancel.Cancel();
        }, stop.Token);
        runner.Running[deploy.Id] = 0;

        (string, int?, string) result;
        try
        {
            run = await ScriptRun.StartAsync(launcher, Path.Combine(target.ScriptsFolder, deploy.Script), target.ScriptsFolder, DeployPlan.Of(deploy).Variables(deploy.Id),
                target.Timeout, opts.CancelGrace, sink, clock);
            await RecordScriptGroupAsync(deploy.Id, run.GroupId);
            var exit = await run.WaitAsync(stop.Token);
            result = exit.TimedOut
                ? (DeployStatus.Failed, null, $"timed out after {target.Timeout}; the script was stopped")
                : exit.ExitCode == 0
                    ? (DeployStatus.Succeeded, 0, ScriptRun.Describe(0))
                    : (DeployStatus.Failed, exit.ExitCode, ScriptRun.Describe(exit.ExitCode));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await run!.TerminateAsync(shutdown.IsCancellationRequested ? TimeSpan.FromSeconds(2) : opts.CancelGrace);
            result = shutdown.IsCancellationRequested
                ? (DeployStatus.Interrupted, null, "the portal stopped during the deploy; the script was stopped")
                : lost
                    ? (DeployStatus.Interrupted, null, "another portal process declared this deploy interrupted; the script was stopped")
                    : (DeployStatus.Cancelled, null, $"cancelled by {cancelledBy ?? "someone"}");
        }
        catch (ProcessLaunchException ex)
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
            if (run is not null)
            {
                await run.DisposeAsync();
            }
        }
        deploy.CancelRequestedBy = cancelledBy;
        return result;
    }

    /// <summary>Where the script's processes are, so a node on this machine can tell when they are gone (see <see cref="DeployRecovery"/>).</summary>
    private async Task RecordScriptGroupAsync(long deployId, int group)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("UPDATE deploys SET script_group = $1 WHERE id = $2");
            cmd.Parameters.Add(new NpgsqlParameter { Value = group });
            cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next heartbeat records it.
            LogHeartbeatFailed(ex, deployId);
        }
    }

    /// <summary>Proves this process alive (see <see cref="DeployRecovery"/>) and picks up a cancel whose event was missed.</summary>
    private async Task HeartbeatAsync(long deployId, Func<int?> scriptGroup, Action<string?> onCancel, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await using var cmd = dataSource.CreateCommand(
                        "UPDATE deploys SET heartbeat_at = now(), script_group = coalesce($2, script_group) WHERE id = $1 AND status = 'running' " +
                        "RETURNING coalesce(cancel_requested_by, '')");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)scriptGroup() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
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
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be away; the next beat tries again (DeployRecovery on this machine checks the process, not the beat).
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

    [LoggerMessage(LogLevel.Warning, "Recording the end of deploy {DeployId} failed; trying again in {Seconds} s")]
    private partial void LogFinishFailed(Exception ex, long deployId, double seconds);

    [LoggerMessage(LogLevel.Warning, "Heartbeat of deploy {DeployId} failed")]
    private partial void LogHeartbeatFailed(Exception ex, long deployId);
}
