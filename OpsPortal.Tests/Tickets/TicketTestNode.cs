using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

/// <summary>A fresh database with the Tickets services on it, as the app registers them.</summary>
public abstract class TicketTestNode : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;
    protected ServiceProvider Services { get; private set; } = null!;

    /// <summary>Configuration overrides (e.g. the key prefix).</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build());
        services.AddOpsData(Db.AppConnections());
        services.AddMarkdown();
        services.AddTickets();
        // A person's service must be the catalog's: the catalog reads services.yaml (none here) and the portal's services.
        services.AddWiki();
        services.AddDeploys();
        services.AddServiceCatalog();
        Services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected TicketHook Hook => Services.GetRequiredService<TicketHook>();

    /// <summary>Runs <paramref name="work"/> on one caller's unit of work (a fresh context) and saves it, as a deploy or incident does.</summary>
    protected async Task<T> InUnitAsync<T>(Func<OpsDbContext, Task<T>> work, bool save = true)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var result = await work(db);
        if (save)
        {
            await db.SaveChangesAsync();
        }
        return result;
    }

    protected Task InUnitAsync(Func<OpsDbContext, Task> work) =>
        InUnitAsync(async db =>
        {
            await work(db);
            return true;
        });

    protected static LinkedTicketRequest DeployRequest(string subjectId = "42") =>
        new("deploy", "Deploy web 1.4.2 to production", "Release notes: *faster*", "web", "P2", "deploy", subjectId);
}
