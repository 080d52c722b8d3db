using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.E2E;

/// <summary>
/// One real portal on Kestrel (random port, own database) and one headless Chromium, shared by the
/// e2e tests; each test gets its own browser context, so cookies never leak between tests.
/// </summary>
public class PortalFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "Admin-password-1";

    /// <summary>The folder file sources may read in these tests (OpsPortal:Logs:AllowedPaths).</summary>
    public static readonly string LogFolder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "opsportal-e2e-logs")).FullName;

    private PortalFactory? _factory;
    private IPlaywright? _playwright;

    public TestDatabase Database { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Extra app settings for a fixture that needs more (e.g. Hangfire workers).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        _factory = new PortalFactory(Database.ConnectionString, Settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        await _factory.Services.GetRequiredService<EventListener>().Listening.WaitAsync(TimeSpan.FromSeconds(10));
        await CreateUserAsync(AdminEmail, AdminPassword, Roles.Admin);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OPSPORTAL_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Database.DisposeAsync();
    }

    public async Task CreateUserAsync(string email, string password, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAdminService>().CreateAsync(Actor.System("e2e"), email, password, role);
        Assert.True(result.Succeeded, result.Refusal?.Message);
    }

    private sealed class PortalFactory(string database, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("OPSPORTAL_DATABASE", database);
            builder.UseSetting("OpsPortal:RunJobs", "false");
            builder.UseSetting("OpsPortal:Logs:AllowedPaths", LogFolder);
            // Every test signs the admin in (form and API tokens) from one address: the production throttle
            // (10 per account per minute) would answer 429 halfway through the suite. The throttle itself is
            // covered by OpsPortal.Tests/Security/SignInThrottleTests.
            builder.UseSetting("OpsPortal:Auth:SignInsPerAccountPerMinute", "10000");
            builder.UseSetting("OpsPortal:Auth:SignInsPerAddressPerMinute", "10000");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
