using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Services;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Services;

public sealed class ServicesApiTests : ApiTestBase
{
    private readonly DeployFixture _deploys = new("""
          catalogued:
            description: Declared in the file
            owners: [team:web]
            logs: 'host:cat.example.com'
        """);

    protected override IReadOnlyDictionary<string, string>? Settings => _deploys.Settings(runJobs: false);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _deploys.Dispose();
    }

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Put_CreatesThenUpdates_ListedWithFileServices_EventsWritten()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var created = await client.PutAsJsonAsync("/api/services/billing", new
        {
            description = "Invoices",
            owners = new[] { "carol@example.com" },
            tier = 2,
            links = new[] { new { title = "repository", url = "https://git.example.com/billing" } },
            logSelector = "host:billing.example.com",
            dependsOn = new[] { "catalogued" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, (await JsonAsync(created)).GetProperty("revision").GetInt32());

        var updated = await client.PutAsJsonAsync("/api/services/billing", new { description = "Invoices and refunds", baseRevision = 1 });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await JsonAsync(updated);
        Assert.Equal(("Invoices and refunds", 2, "portal", "host:billing", true),
            (body.GetProperty("description").GetString(), body.GetProperty("revision").GetInt32(), body.GetProperty("source").GetString(),
             body.GetProperty("logSelector").GetString(), body.GetProperty("logSelectorIsDefault").GetBoolean()));

        var list = await client.GetFromJsonAsync<JsonElement>("/api/services");
        var names = list.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["billing", "catalogued", "web"], names);
        var web = await client.GetFromJsonAsync<JsonElement>("/api/services/web");
        Assert.Equal(["staging", "production", "quick", "audited"], web.GetProperty("environments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("file", web.GetProperty("source").GetString());

        await using var db = Database.CreateContext();
        Assert.Equal([ServiceEventKinds.Created, ServiceEventKinds.Updated],
            db.Events.Where(e => e.SubjectType == ServiceEventKinds.SubjectType).OrderBy(e => e.Id).Select(e => e.Kind).ToList());
    }

    [Fact]
    public async Task Put_StaleRevision_409WithCurrentRevision_NothingChanged()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await client.PutAsJsonAsync("/api/services/billing", new { description = "one" });
        await client.PutAsJsonAsync("/api/services/billing", new { description = "two", baseRevision = 1 });

        var stale = await client.PutAsJsonAsync("/api/services/billing", new { description = "three", baseRevision = 1 });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await JsonAsync(stale)).GetProperty("currentRevision").GetInt32());
        Assert.Equal("two", (await client.GetFromJsonAsync<JsonElement>("/api/services/billing")).GetProperty("description").GetString());
    }

    [Fact]
    public async Task Put_ServiceDeclaredInFile_409NamesFileAndLine()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.PutAsJsonAsync("/api/services/catalogued", new { description = "x" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains($"{_deploys.ConfigPath}:", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_InvalidFields_400WithFieldErrors_NothingStored()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.PutAsJsonAsync("/api/services/billing", new
        {
            owners = new[] { "nobody" },
            tier = 9,
            logSelector = "stauts:5xx",
            dependsOn = new[] { "billing" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.Equal(["dependsOn", "logSelector", "owners", "tier"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/services/billing")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/api/services/Bad%20Name", new { })).StatusCode);
    }

    [Fact]
    public async Task Viewer_Reads_CannotWrite()
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync("/api/services/billing", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/services/billing")).StatusCode);
        using var anonymous = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/services")).StatusCode);
    }

    [Fact]
    public async Task Delete_PortalService_Gone_FileServiceRefused()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await client.PutAsJsonAsync("/api/services/billing", new { });

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/services/billing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/services/billing")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync("/api/services/web")).StatusCode);
    }

    [Fact]
    public async Task Selector_KnownAndUnknownServices_ResolveThroughOneCatalog()
    {
        var catalog = Factory.Services.GetRequiredService<ServiceCatalog>();

        var known = await catalog.SelectorAsync("catalogued");
        var unknown = await catalog.SelectorAsync("legacy-api");

        Assert.Equal(new ServiceSelector("catalogued", null, "host:cat.example.com", true, false), known);
        Assert.Equal(new ServiceSelector("legacy-api", null, "host:legacy-api", false, true), unknown);
    }
}
