using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Jobs;

public sealed class HangfireTests : IAsyncLifetime
{
    private OpsPortalFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _factory = new OpsPortalFactory(await TestDatabase.CreateAsync(), runJobs: true);
        await _factory.StartAsync();
    }

    public async Task DisposeAsync()
    {
        var db = _factory.Database;
        await _factory.DisposeAsync();
        await db.DisposeAsync();
    }

    /// <summary>
    /// A job enqueued by another OS process (the app's CLI) starts at once: long polling (LISTEN/NOTIFY)
    /// wakes this process's workers instead of their default 15 s poll. Typically well under a second;
    /// the bound is 5 s so that a loaded CI machine (1,016 ms seen at load 8) cannot fail it, while the
    /// 15 s poll still would.
    /// </summary>
    [Fact]
    public async Task JobEnqueuedByAnotherProcess_StartsWithoutWaitingForThePoll()
    {
        // Let the workers reach their idle wait first, as in a portal that has been up a while.
        await Task.Delay(2000);

        var cli = await Cli.RunAsync(_factory.Database.ConnectionString, null, "trigger-job", "auth:purge-revoked-tokens");

        Assert.True(cli.ExitCode == 0, cli.Error);
        // Other output (a log line) may follow; take the id from its own line.
        var jobId = System.Text.RegularExpressions.Regex.Match(cli.Output, @"Enqueued job (\S+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(jobId), cli.Output);
        var monitor = _factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        JobDetailsDto? details = null;
        for (var i = 0; i < 300 && details?.History.Any(h => h.StateName == "Succeeded") != true; i++)
        {
            await Task.Delay(100);
            details = monitor.JobDetails(jobId);
        }
        var states = string.Join(", ", details!.History.Select(h => h.StateName));
        var enqueued = details.History.FirstOrDefault(h => h.StateName == "Enqueued")?.CreatedAt ?? throw new Xunit.Sdk.XunitException($"no Enqueued state: {states}");
        var processing = details.History.FirstOrDefault(h => h.StateName == "Processing")?.CreatedAt ?? throw new Xunit.Sdk.XunitException($"never processed: {states}");
        Assert.True(processing - enqueued < TimeSpan.FromSeconds(5), $"started {(processing - enqueued).TotalMilliseconds:F0} ms after it was enqueued");
    }

    [Fact]
    public async Task TriggerJob_UnknownId_FailsWithMessage()
    {
        var cli = await Cli.RunAsync(_factory.Database.ConnectionString, null, "trigger-job", "no-such-job");

        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("No recurring job 'no-such-job'", cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RecurringJobs_AreRegistered()
    {
        using var connection = _factory.Services.GetRequiredService<JobStorage>().GetConnection();

        var recurring = connection.GetRecurringJobs();

        Assert.Contains(recurring, r => r.Id == "auth:purge-revoked-tokens");
    }
}
