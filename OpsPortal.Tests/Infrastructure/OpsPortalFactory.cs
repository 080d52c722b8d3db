using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using OpsPortal.Core.Events;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>The real app, in memory, on its own database. Jobs and file tails are off unless a test turns them on.</summary>
public sealed class OpsPortalFactory(TestDatabase database, bool runJobs = false, IReadOnlyDictionary<string, string>? settings = null,
    Action<IWebHostBuilder>? configure = null)
    : WebApplicationFactory<Program>
{
    public TestDatabase Database { get; } = database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("OPSPORTAL_DATABASE", Database.AppConnectionString);
        builder.UseSetting("OPSPORTAL_DIRECT_DATABASE", Database.ConnectionString);
        builder.UseSetting("OpsPortal:RunJobs", runJobs ? "true" : "false");
        builder.UseSetting("OpsPortal:Logs:RunIngestion", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        // A test node with jobs on may be disposed while a Hangfire worker still runs a job; Hangfire stops it within
        // its own 15 s, but the host's default 30 s for all services together was cancelling that wait under load.
        builder.ConfigureServices(s => s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(2)));
        configure?.Invoke(builder);
    }

    /// <summary>Starts the app and waits until its LISTEN is in place, so no event can slip by.</summary>
    public async Task StartAsync()
    {
        _ = Server;
        await Services.GetRequiredService<EventListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
