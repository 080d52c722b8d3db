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

    /// <summary>Signed-in clients of a Viewer (viewer@test.local) and an Engineer (eng@test.local).</summary>
    private async Task<Clients> ViewerAndEngineerAsync()
    {
        await CreateUserAsync("viewer@test.local", Password, Roles.Viewer);
        await CreateUserAsync("eng@test.local", Password, Roles.Engineer);
        return new Clients(await ClientForAsync("viewer@test.local", Password), await ClientForAsync("eng@test.local", Password));
    }

    private sealed record Clients(HttpClient Viewer, HttpClient Engineer) : IDisposable
    {
        public void Dispose()
        {
            Viewer.Dispose();
            Engineer.Dispose();
        }
    }

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
        using var clients = await ViewerAndEngineerAsync();
        var (viewer, engineer) = (clients.Viewer, clients.Engineer);

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

    [Fact]
    public async Task Copy_TeamToPersonalAndBack_IndependentOfItsSource()
    {
        using var clients = await ViewerAndEngineerAsync();
        var (viewer, engineer) = (clients.Viewer, clients.Engineer);
        var teamId = (await JsonAsync(await engineer.PostAsJsonAsync("/api/dashboards", new { title = "Shop", description = "The shop", panels = Panels }))).GetProperty("id").GetInt64();

        var copied = await viewer.PostAsJsonAsync($"/api/dashboards/{teamId}/copy", new { shared = false });
        Assert.Equal(HttpStatusCode.Created, copied.StatusCode);
        var copy = await JsonAsync(copied);
        var copyId = copy.GetProperty("id").GetInt64();
        Assert.NotEqual(teamId, copyId);
        Assert.Equal(("Shop (copy)", "The shop", false, "viewer@test.local", 1, 2),
            (copy.GetProperty("title").GetString(), copy.GetProperty("description").GetString(), copy.GetProperty("team").GetBoolean(),
             copy.GetProperty("owner").GetString(), copy.GetProperty("revision").GetInt32(), copy.GetProperty("panels").GetArrayLength()));
        Assert.Equal("shop.checkout", copy.GetProperty("panels")[1].GetProperty("query").GetString());

        // Each side changes on its own: the copy loses a panel, the source is renamed; neither sees the other's change.
        Assert.Equal(HttpStatusCode.OK, (await viewer.PutAsJsonAsync($"/api/dashboards/{copyId}", new { title = "My shop", panels = Panels.Take(1), baseRevision = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await engineer.PutAsJsonAsync($"/api/dashboards/{teamId}", new { title = "Shop v2", panels = Panels, baseRevision = 1 })).StatusCode);
        var source = await engineer.GetFromJsonAsync<JsonElement>($"/api/dashboards/{teamId}");
        var mine = await viewer.GetFromJsonAsync<JsonElement>($"/api/dashboards/{copyId}");
        Assert.Equal(("Shop v2", 2, 2), (source.GetProperty("title").GetString(), source.GetProperty("panels").GetArrayLength(), source.GetProperty("revision").GetInt32()));
        Assert.Equal(("My shop", 1, 2), (mine.GetProperty("title").GetString(), mine.GetProperty("panels").GetArrayLength(), mine.GetProperty("revision").GetInt32()));

        // Personal → team by an Engineer, with a name of its own.
        var engineersOwn = (await JsonAsync(await engineer.PostAsJsonAsync("/api/dashboards", new { title = "Scratch", personal = true, panels = Panels }))).GetProperty("id").GetInt64();
        var promoted = await engineer.PostAsJsonAsync($"/api/dashboards/{engineersOwn}/copy", new { name = "Checkout", shared = true });
        Assert.Equal(HttpStatusCode.Created, promoted.StatusCode);
        var team = await JsonAsync(promoted);
        Assert.Equal(("Checkout", true), (team.GetProperty("title").GetString(), team.GetProperty("team").GetBoolean()));
        await using var db = Database.CreateContext();
        Assert.Contains(db.Events.Where(e => e.Kind == DashboardEventKinds.Created).Select(e => e.Summary).ToList(),
            summary => summary.Contains("copied team dashboard \"Shop\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Copy_RolesAndVisibility_SameRulesAsCreating_NothingSavedWhenRefused()
    {
        using var clients = await ViewerAndEngineerAsync();
        var (viewer, engineer) = (clients.Viewer, clients.Engineer);
        var teamId = (await JsonAsync(await engineer.PostAsJsonAsync("/api/dashboards", new { title = "Shop", panels = Panels }))).GetProperty("id").GetInt64();
        var viewersId = (await JsonAsync(await viewer.PostAsJsonAsync("/api/dashboards", new { title = "Mine", personal = true, panels = Panels }))).GetProperty("id").GetInt64();

        // A Viewer may not make team dashboards, by copying either; someone else's personal dashboard does not exist.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/dashboards/{teamId}/copy", new { shared = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/dashboards/{viewersId}/copy", new { shared = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await engineer.PostAsJsonAsync($"/api/dashboards/{viewersId}/copy", new { shared = false })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.PostAsJsonAsync("/api/dashboards/999999/copy", new { shared = false })).StatusCode);
        var tooLong = await viewer.PostAsJsonAsync($"/api/dashboards/{teamId}/copy", new { name = new string('x', DashboardRules.MaxTitle + 1) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await JsonAsync(tooLong)).GetProperty("errors").TryGetProperty("title", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateClient().PostAsJsonAsync($"/api/dashboards/{teamId}/copy", new { shared = false })).StatusCode);
        await using var db = Database.CreateContext();
        Assert.Equal(2, db.Dashboards.Count());

        // A copy of a title at the length limit stays valid.
        var longTitle = new string('t', DashboardRules.MaxTitle);
        var longId = (await JsonAsync(await viewer.PostAsJsonAsync("/api/dashboards", new { title = longTitle, personal = true, panels = Panels }))).GetProperty("id").GetInt64();
        var copy = await viewer.PostAsJsonAsync($"/api/dashboards/{longId}/copy", new { });
        Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        Assert.EndsWith(" (copy)", (await JsonAsync(copy)).GetProperty("title").GetString(), StringComparison.Ordinal);
    }
}
