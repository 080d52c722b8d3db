using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Metrics.Rollups;

/// <summary>
/// Runs <see cref="MetricRollupJob"/> every <see cref="MetricsOptions.RollupInterval"/> where
/// <see cref="MetricsOptions.RunRollups"/> is on. Queries are right whether or not it runs (dirty minutes
/// are read from raw points); it keeps them fast and makes history outlive the raw retention. A failed
/// round (the database is away) restarts after a back-off; the marks wait in the database.
/// </summary>
internal sealed partial class MetricRollupService(
    MetricRollupJob job, IOptions<MetricsOptions> options, BackgroundHealth health, TimeProvider clock, ILogger<MetricRollupService> logger)
    : BackgroundLoop(health, clock, logger)
{
    private readonly TimeProvider _clock = clock;

    protected override string LoopName => "metrics.rollup";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunRollups)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.RollupInterval, _clock);
        do
        {
            var minutes = await job.RunAsync(stoppingToken);
            if (minutes > 0)
            {
                LogRolledUp(minutes);
            }
            MarkHealthy();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rolled up {Minutes} minute(s) of metrics")]
    private partial void LogRolledUp(int minutes);
}
