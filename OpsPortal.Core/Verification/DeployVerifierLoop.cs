using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Verification;

/// <summary>Runs <see cref="DeployVerification.RoundAsync"/> every <see cref="VerificationOptions.Interval"/> on every node that runs jobs; one of them judges each round.</summary>
internal sealed class DeployVerifierLoop : BackgroundLoop
{
    private readonly DeployVerification _verification;
    private readonly VerificationOptions _options;
    private readonly TimeProvider _clock;

    public DeployVerifierLoop(DeployVerification verification, IOptions<VerificationOptions> options, BackgroundHealth health,
        TimeProvider clock, ILogger<DeployVerifierLoop> logger)
        : base(health, clock, logger)
    {
        _verification = verification;
        _options = options.Value;
        _clock = clock;
    }

    protected override string LoopName => "deploys.verification";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.Interval, _clock);
        do
        {
            await _verification.RoundAsync(stoppingToken);
            MarkHealthy();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
