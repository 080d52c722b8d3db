using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core;

/// <summary>
/// The base of every long-running background loop. <see cref="RunAsync"/> runs until the host stops;
/// when it throws (the database is away, a bug), the failure is logged and recorded in
/// <see cref="BackgroundHealth"/>, and <see cref="RunAsync"/> starts again after a back-off
/// (1 s, doubling to 10 s: short enough that everything is back within seconds of the database).
/// The host never stops because of a loop. Call <see cref="MarkHealthy"/> after each round of work
/// that succeeded; a loop that retries on its own (a LISTEN connection) reports with <see cref="MarkFailed"/>.
/// </summary>
/// <remarks>
/// Derived classes use <see cref="Clock"/> and <see cref="Logger"/> rather than capturing their own
/// copies of the constructor's arguments.
/// </remarks>
public abstract partial class BackgroundLoop : BackgroundService
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(10);

    private readonly BackgroundHealth _health;

    protected BackgroundLoop(BackgroundHealth health, TimeProvider clock, ILogger logger)
    {
        _health = health;
        Clock = clock;
        Logger = logger;
    }

    protected TimeProvider Clock { get; }

    protected ILogger Logger { get; }

    /// <summary>The name on <c>/health</c> and in logs, e.g. <c>logs.file-tail</c>.</summary>
    protected abstract string LoopName { get; }

    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected void MarkHealthy() => _health.Healthy(LoopName);

    /// <summary>For a failure the loop handles itself (and retries) without throwing out of <see cref="RunAsync"/>.</summary>
    protected void MarkFailed(Exception error) => _health.Failed(LoopName, error);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: StartAsync of the next service must not wait for this loop's first await.
        await Task.Yield();
        var backOff = FirstBackOff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Clock.GetTimestamp();
            try
            {
                await RunAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _health.Failed(LoopName, ex);
                // A loop that ran a good while before failing starts again soon; one failing at once backs off.
                backOff = Clock.GetElapsedTime(started) > MaxBackOff ? FirstBackOff : backOff;
                LogLoopFailed(Logger, ex, LoopName, backOff.TotalSeconds);
            }
            try
            {
                await Task.Delay(backOff, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
        }
    }

    [LoggerMessage(LogLevel.Error, "Background loop {Loop} failed; starting it again in {Seconds} s")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex, string loop, double seconds);
}
