using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Alerts;

/// <summary>The API's shape, roles and refusals.</summary>
public sealed class AlertsApiTests : ApiTestBase
{
    private static object Rule(string name, object? spec = null) => new
    {
        name,
        service = "checkout",
        kind = "Threshold",
        intervalSeconds = 30,
        spec = spec ?? new { query = "status:5xx", measure = "Ratio", windowSeconds = 300, warning = 2.0, critical = 5.0 },
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AlertTestBase.DefineServiceAsync(Factory.Services, "checkout");
    }

    [Fact]
    public async Task Rules_CrudWithVersions_ViewerReadsOnly()
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/alerts/rules", Rule("x"))).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/alerts/rules", Rule("Checkout 5xx"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetInt64();
        Assert.Equal("Ratio", rule.GetProperty("spec").GetProperty("measure").GetString());

        var listed = await viewer.GetFromJsonAsync<JsonElement>("/api/alerts/rules?service=checkout");
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/alerts/rules/{id}")).StatusCode);

        var update = await admin.PutAsJsonAsync($"/api/alerts/rules/{id}", new
        {
            name = "Checkout 5xx",
            service = "checkout",
            kind = "Threshold",
            intervalSeconds = 60,
            version = 1,
            spec = new { query = "status:5xx", measure = "Ratio", windowSeconds = 300, critical = 10.0 },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var stale = await admin.PutAsJsonAsync($"/api/alerts/rules/{id}", new
        {
            name = "Checkout 5xx",
            service = "checkout",
            kind = "Threshold",
            version = 1,
            spec = new { critical = 1.0 },
        });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/alerts/rules", Rule("Checkout 5xx"))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/alerts/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/alerts/rules/{id}")).StatusCode);
    }

    [Fact]
    public async Task Rules_InvalidInput_ProblemNamesEachField()
    {
        var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var response = await admin.PostAsJsonAsync("/api/alerts/rules", new
        {
            name = "",
            service = "Check Out",
            kind = "Threshold",
            intervalSeconds = 1,
            spec = new { query = "stauts:5xx", groupBy = "referrer", warning = 9.0, critical = 5.0 },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var unknown = await admin.PostAsJsonAsync("/api/alerts/rules", new
        {
            name = "x",
            service = "nowhere",
            kind = "Threshold",
            spec = new { critical = 1.0 },
        });
        Assert.Contains("no service 'nowhere' in the catalog", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var field in new[] { "name", "service", "intervalSeconds", "spec.query", "spec.groupBy", "spec.warning" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        var http = await admin.PostAsJsonAsync("/api/alerts/rules", new { name = "x", service = "web", kind = "HttpCheck", spec = new { url = "file:///etc/passwd" } });
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/alerts/999/ack", new { comment = "x" })).StatusCode);
    }

    [Fact]
    public async Task Silences_CreateListEndEarly_KeptAsExpired()
    {
        var admin = await ClientForAsync(AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/silences", new { matchers = Array.Empty<object>(), reason = "" })).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/silences", new
        {
            matchers = new[] { new { name = "service", value = "checkout" } },
            durationMinutes = 30,
            reason = "db upgrade",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var active = await admin.GetFromJsonAsync<JsonElement>("/api/silences");
        Assert.True(Assert.Single(active.EnumerateArray()).GetProperty("active").GetBoolean());

        var ended = await admin.DeleteAsync($"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/api/silences")).EnumerateArray());
        var all = await admin.GetFromJsonAsync<JsonElement>("/api/silences?expired=true");
        var kept = Assert.Single(all.EnumerateArray());
        Assert.Equal((false, AdminEmail), (kept.GetProperty("active").GetBoolean(), kept.GetProperty("endedBy").GetString()));
    }
}
