using Microsoft.Extensions.Logging.Abstractions;
using OpsPortal.Core;

namespace OpsPortal.Tests.Common;

public class BackgroundLoopTests
{
    [Fact]
    public async Task RunAsync_Throws_LoopIsRestarted_FailureRecorded_ThenHealthyAgain()
    {
        var health = new BackgroundHealth(TimeProvider.System);
        var loop = new FlakyLoop(health, failures: 2);

        await loop.StartAsync(CancellationToken.None);
        await loop.Healed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await loop.StopAsync(CancellationToken.None);

        Assert.Equal(3, loop.Attempts);
        var state = health.Get("test.flaky");
        Assert.NotNull(state);
        Assert.Null(state.Error);
        Assert.Equal(0, state.Failures);
    }

    [Fact]
    public async Task Failure_IsVisibleInHealth_WithTypeAndMessageOnly()
    {
        var health = new BackgroundHealth(TimeProvider.System);
        var loop = new FlakyLoop(health, failures: 1000);

        await loop.StartAsync(CancellationToken.None);
        await loop.FirstFailure.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await loop.StopAsync(CancellationToken.None);

        var state = health.Get("test.flaky")!;
        Assert.Equal("TimeoutException: database away", state.Error);
        Assert.True(state.Failures >= 1);
    }

    private sealed class FlakyLoop(BackgroundHealth health, int failures)
        : BackgroundLoop(health, TimeProvider.System, NullLogger.Instance)
    {
        public int Attempts;
        public readonly TaskCompletionSource Healed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource FirstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override string LoopName => "test.flaky";

        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            if (++Attempts <= failures)
            {
                if (Attempts > 1)
                {
                    FirstFailure.TrySetResult();
                }
                throw new TimeoutException("database away");
            }
            MarkHealthy();
            Healed.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
