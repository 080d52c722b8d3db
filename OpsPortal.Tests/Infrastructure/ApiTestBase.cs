using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpsPortal.Core.Auth;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>
/// Each test gets its own database and app instance: nothing one test writes can change another's result.
/// Cloning the template and starting the app in memory costs well under a second.
/// </summary>
public abstract class ApiTestBase : IAsyncLifetime
{
    protected const string AdminEmail = "admin@test.local";
    protected const string AdminPassword = "Admin-password-1";

    protected OpsPortalFactory Factory { get; private set; } = null!;

    /// <summary>Extra configuration for the app under test.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    /// <summary>Extra configuration that depends on the test's database (e.g. a replica's connection string).</summary>
    protected virtual IReadOnlyDictionary<string, string>? SettingsFor(TestDatabase database) => Settings;

    /// <summary>More host set-up for the app under test (e.g. a capturing logger).</summary>
    protected virtual void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
    }

    protected TestDatabase Database => Factory.Database;

    /// <summary>
    /// True for tests that take the database away (ALLOW_CONNECTIONS false): through pgbouncer a refused
    /// server connection makes clients wait in its queue instead of failing, so the app under test
    /// talks to PostgreSQL directly and sees the outage as a production node without pgbouncer would.
    /// </summary>
    protected virtual bool BypassPgbouncer => false;

    public virtual async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var settings = SettingsFor(database);
        if (BypassPgbouncer)
        {
            settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["OPSPORTAL_DATABASE"] = database.ConnectionString };
        }
        Factory = new OpsPortalFactory(database, settings: settings, configure: ConfigureHost);
        await Factory.StartAsync();
        await CreateUserAsync(AdminEmail, AdminPassword, Roles.Admin);
    }

    public virtual async Task DisposeAsync()
    {
        var db = Factory.Database;
        await Factory.DisposeAsync();
        await db.DisposeAsync();
    }

    protected async Task CreateUserAsync(string email, string password, string role)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAdminService>().CreateAsync(As.Admin("test"), email, password, role);
        Assert.True(result.Succeeded, result.Refusal?.Message);
    }

    protected async Task<string> GetTokenAsync(string email, string password, string name = "test")
    {
        using var anonymous = Factory.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/tokens", new { email, password, name });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<TokenBody>();
        return body!.Token;
    }

    protected HttpClient ClientWithToken(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected async Task<HttpClient> ClientForAsync(string email, string password) =>
        ClientWithToken(await GetTokenAsync(email, password));

    protected sealed record TokenBody(long Id, string Name, string Token);
}
