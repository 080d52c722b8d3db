using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Dashboards;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Dashboards;

public sealed class DashboardsApiTests : ApiTestBase
{
    private const string Password = "Long-password-1";

    private static readonly object[] Panels =
    [
        new { title = "Requests", source = "Logs", query = "", measure = "rate", display = "Area", width = 6 },
        new { title = "Checkout p95", source = "Metric", query = "shop.checkout", measure = "p95", display = "Line", width = 6, compareLastWeek = true },
    ];

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Crud_TeamDashboard_CreatedReadUpdatedDeleted_EventsWritten()
    {
        await CreateUserAsync("eng@test.local", Password, Roles.Engineer);
        using var client = await ClientForAsync("eng@test.local", Password);

        var created = await client.PostAsJsonAsync("/api/dashboards", new { title = "Shop", panels = Panels });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal((true, 1, 2), (body.GetProperty("team").GetBoolean(), body.GetProperty("revision").GetInt32(), body.GetProperty("panels").GetArrayLength()));

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/dashboards/{id}");
        var panel = read.GetProperty("panels")[1];
        Assert.Equal(("Metric", "shop.checkout", "p95", true), (panel.GetProperty("source").GetString(), panel.GetProperty("query").GetString(),
            panel.GetProperty("measure").GetString(), panel.GetProperty("compareLastWeek").GetBoolean()));

        var updated = await client.PutAsJsonAsync($"/api/dashboards/{id}", new { title = "Shop overview", panels = Panels.Take(1), baseRevision = 1 });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, (await JsonAsync(updated)).GetProperty("revision").GetInt32());
        var list = await client.GetFromJsonAsync<JsonElement>("/api/dashboards");
        Assert.Equal(["Shop overview"], list.EnumerateArray().Select(d => d.GetProperty("title").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/dashboards/{id}?baseRevision=2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/dashboards/{id}")).StatusCode);
        await using var db = Database.CreateContext();
        Assert.Equal([DashboardEventKinds.Created, DashboardEventKinds.Updated, DashboardEventKinds.Deleted],
            db.Events.Where(e => e.SubjectType == DashboardEventKinds.SubjectType).OrderBy(e => e.Id).Select(e => e.Kind).ToList());
    }

    [Fact]
    public async Task Put_StaleOrMissingBaseRevision_RefusedAndNothingOverwritten()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var id = (await JsonAsync(await admin.PostAsJsonAsync("/api/dashboards", new { title = "Shared", panels = Panels }))).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/dashboards/{id}", new { title = "First save", panels = Panels, baseRevision = 1 })).StatusCode);

        var stale = await admin.PutAsJsonAsync($"/api/dashboards/{id}", new { title = "Second save from revision 1", panels = Panels, baseRevision = 1 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await JsonAsync(stale)).GetProperty("currentRevision").GetInt32());
        var missing = await admin.PutAsJsonAsync($"/api/dashboards/{id}", new { title = "No base", panels = Panels });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/dashboards/{id}?baseRevision=1")).StatusCode);

        var kept = await admin.GetFromJsonAsync<JsonElement>($"/api/dashboards/{id}");
        Assert.Equal(("First save", 2), (kept.GetProperty("title").GetString(), kept.GetProperty("revision").GetInt32()));
    }

    [Fact]
    public async Task Ownership_ViewerWritesOnlyPersonal_OthersPersonalInvisible()
    {
        await CreateUserAsync("viewer@test.local", Password, Roles.Viewer);
        await CreateUserAsync("eng@test.local", Password, Roles.Engineer);
        using var viewer = await ClientForAsync("viewer@test.local", Password);
        using var engineer = await ClientForAsync("eng@test.local", Password);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/dashboards", new { title = "Team", panels = Panels })).StatusCode);
        var mine = await JsonAsync(await viewer.PostAsJsonAsync("/api/dashboards", new { title = "Mine", personal = true, panels = Panels }));
        var mineId = mine.GetProperty("id").GetInt64();
        Assert.Equal("viewer@test.local", mine.GetProperty("owner").GetString());
        var teamId = (await JsonAsync(await engineer.PostAsJsonAsync("/api/dashboards", new { title = "Team", panels = Panels }))).GetProperty("id").GetInt64();

        // The viewer reads the team dashboard but may not change it; the engineer cannot see, change or delete the viewer's.
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/dashboards/{teamId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/dashboards/{teamId}", new { title = "Mine now", panels = Panels, baseRevision = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/dashboards/{teamId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await engineer.GetAsync($"/api/dashboards/{mineId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await engineer.PutAsJsonAsync($"/api/dashboards/{mineId}", new { title = "Taken", panels = Panels, baseRevision = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await engineer.DeleteAsync($"/api/dashboards/{mineId}")).StatusCode);
        Assert.Equal(["Team"], (await engineer.GetFromJsonAsync<JsonElement>("/api/dashboards")).EnumerateArray().Select(d => d.GetProperty("title").GetString()));
        Assert.Equal(["Team", "Mine"], (await viewer.GetFromJsonAsync<JsonElement>("/api/dashboards")).EnumerateArray().Select(d => d.GetProperty("title").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await viewer.PutAsJsonAsync($"/api/dashboards/{mineId}", new { title = "Mine, renamed", panels = Panels, baseRevision = 1 })).StatusCode);
        Assert.Equal("Team", (await viewer.GetFromJsonAsync<JsonElement>($"/api/dashboards/{teamId}")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Post_InvalidPanels_RefusedPerFieldAndNothingSaved()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var response = await admin.PostAsJsonAsync("/api/dashboards", new
        {
            title = " ",
            panels = new object[]
            {
                new { title = "Bad query", source = "Logs", query = "status:(", measure = "rate" },
                new { title = "Bad fn", source = "Metric", query = "shop.orders", measure = "median" },
                new { title = "Bad width", source = "Logs", measure = "rate", width = 5 },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.Equal(["panels[0]", "panels[1]", "panels[2]", "title"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().GetAsync("/api/dashboards")).StatusCode);
        await using var db = Database.CreateContext();
        Assert.Empty(db.Dashboards);
    }
}
