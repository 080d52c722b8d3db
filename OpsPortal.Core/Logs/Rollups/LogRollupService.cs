using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Logs.Rollups;

/// <summary>
/// Runs <see cref="LogRollupJob"/> every <see cref="LogsOptions.RollupInterval"/> on processes that ingest.
/// Searches are correct whether or not it runs (unrolled minutes are read from the access table); it only
/// keeps them fast. Several nodes may run it: an advisory lock makes them take turns.
/// </summary>
internal sealed partial class LogRollupService(LogRollupJob job, IOptions<LogsOptions> options, BackgroundHealth health, TimeProvider clock,
    ILogger<LogRollupService> logger)
    : BackgroundLoop(health, clock, logger)
{
    public const string Loop = "logs.rollup";

    protected override string LoopName => Loop;

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunIngestion)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.RollupInterval, Clock);
        do
        {
            try
            {
                var minutes = await job.RunAsync(stoppingToken);
                if (minutes > 0)
                {
                    LogRolledUp(Logger, minutes);
                }
                MarkHealthy();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(Logger, ex);
                MarkFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rolled up {Minutes} minute(s) of access logs")]
    private static partial void LogRolledUp(ILogger logger, int minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling up access logs failed; searches read those minutes from the access table until the next round")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
