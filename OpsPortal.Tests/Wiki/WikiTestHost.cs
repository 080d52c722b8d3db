using Microsoft.Extensions.Configuration;
using OpsPortal.Core.Data;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

/// <summary>The wiki's services over a fresh database, without the web app.</summary>
public sealed class WikiTestHost : IAsyncDisposable
{
    private WikiTestHost(TestDatabase db, ServiceProvider sp)
    {
        Database = db;
        Services = sp;
    }

    public TestDatabase Database { get; }
    public ServiceProvider Services { get; }
    public WikiService Wiki => Services.GetRequiredService<WikiService>();
    public WikiSearch Search => Services.GetRequiredService<WikiSearch>();

    public static async Task<WikiTestHost> CreateAsync(TimeProvider? clock = null)
    {
        var db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(db.AppConnections());
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }
        services.AddWiki();
        return new WikiTestHost(db, services.BuildServiceProvider());
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
