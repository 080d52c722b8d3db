using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core;

/// <summary>
/// The base of every long-running background loop. <see cref="RunAsync"/> runs until the host stops;
/// when it throws (the database is away, a bug), the failure is logged and recorded in
/// <see cref="BackgroundHealth"/>, and <see cref="RunAsync"/> starts again after a back-off
/// (1 s, doubling to 30 s). The host never stops because of a loop. Call <see cref="MarkHealthy"/>
/// after each round of work that succeeded.
/// </summary>
public abstract partial class BackgroundLoop(BackgroundHealth health, TimeProvider clock, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    /// <summary>The name on <c>/health</c> and in logs, e.g. <c>logs.file-tail</c>.</summary>
    protected abstract string LoopName { get; }

    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected void MarkHealthy() => health.Healthy(LoopName);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backOff = FirstBackOff;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = clock.GetTimestamp();
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
                health.Failed(LoopName, ex);
                // A loop that ran a good while before failing starts again soon; one failing at once backs off.
                backOff = clock.GetElapsedTime(started) > MaxBackOff ? FirstBackOff : backOff;
                LogLoopFailed(logger, ex, LoopName, backOff.TotalSeconds);
            }
            try
            {
                await Task.Delay(backOff, clock, stoppingToken);
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
