using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Alerts;

/// <summary>
/// The evaluator loop of this node: every <see cref="AlertsOptions.PollInterval"/> it runs the rules that are
/// due (<see cref="AlertScheduler"/>). A database outage fails the pass; <see cref="BackgroundLoop"/> logs it,
/// shows it on /health and starts again with a back-off, and the leases of the lost pass expire by themselves.
/// </summary>
internal sealed partial class AlertEvaluationService : BackgroundLoop
{
    private readonly AlertScheduler scheduler;
    private readonly IOptions<AlertsOptions> options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;

    public AlertEvaluationService(AlertScheduler scheduler, IOptions<AlertsOptions> options, BackgroundHealth health,
        TimeProvider clock, ILogger<AlertEvaluationService> logger)
        : base(health, clock, logger)
    {
        this.scheduler = scheduler;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
    }

    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    /// <summary>This process's name on the leases it takes.</summary>
    public string Node { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override string LoopName => "alerts.evaluator";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunEvaluator)
        {
            return;
        }
        var lastPrune = clock.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var rounds = await scheduler.RunDueAsync(Node, stoppingToken);
            if (rounds > 0)
            {
                LogRounds(logger, rounds);
            }
            if (clock.GetElapsedTime(lastPrune) > PruneEvery)
            {
                await scheduler.PruneAsync(stoppingToken);
                lastPrune = clock.GetTimestamp();
            }
            MarkHealthy();
            await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Evaluated {Rounds} alert rule round(s)")]
    private static partial void LogRounds(ILogger logger, int rounds);
}
