using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Subscriptions;

/// <summary>
/// Fans events out to subscribers and sends the digests that are due, on every node (both steps are safe to run
/// twice: unique items, locked sends). A database outage only delays a round.
/// </summary>
internal sealed class SubscriptionLoop(SubscriptionFanout fanout, DigestSender sender, IOptions<SubscriptionsOptions> options,
    BackgroundHealth health, TimeProvider clock, ILogger<SubscriptionLoop> logger) : BackgroundLoop(health, clock, logger)
{
    private readonly TimeProvider _clock = clock;

    protected override string LoopName => "subscriptions.digests";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunSubscriptions)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await fanout.FanOutAsync(stoppingToken);
            await sender.SendDueAsync(stoppingToken);
            MarkHealthy();
            await Task.Delay(options.Value.PollInterval, _clock, stoppingToken);
        }
    }
}
