using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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
        builder.UseSetting("OPSPORTAL_DATABASE", Database.ConnectionString);
        builder.UseSetting("OpsPortal:RunJobs", runJobs ? "true" : "false");
        builder.UseSetting("OpsPortal:Logs:RunIngestion", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        configure?.Invoke(builder);
    }

    /// <summary>Starts the app and waits until its LISTEN is in place, so no event can slip by.</summary>
    public async Task StartAsync()
    {
        _ = Server;
        await Services.GetRequiredService<EventListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
