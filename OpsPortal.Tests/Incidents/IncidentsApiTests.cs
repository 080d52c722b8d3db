using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Incidents;

public sealed class IncidentsApiTests : ApiTestBase
{
    private static readonly DateTimeOffset Base = DateTimeOffset.UtcNow.AddDays(-10);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>());

    [Fact]
    public async Task Declare_Patch_Timeline_Metrics_ThroughTheApi()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var declared = await client.PostAsJsonAsync("/api/incidents", new
        {
            title = "Checkout 500s",
            severity = "SEV2",
            services = new[] { "web" },
            startedAt = Base,
            detectedAt = Base.AddMinutes(10),
        });
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        var incident = await JsonAsync(declared);
        var id = incident.GetProperty("id").GetInt64();
        Assert.Equal(("SEV2", "Investigating"), (incident.GetProperty("severity").GetString(), incident.GetProperty("status").GetString()));

        var patched = await client.PatchAsJsonAsync($"/api/incidents/{id}", new { acknowledgedAt = Base.AddMinutes(15) });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var note = await client.PostAsJsonAsync($"/api/incidents/{id}/notes", new { text = "rolled back 1.2.3", at = Base.AddMinutes(40) });
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var resolved = await client.PatchAsJsonAsync($"/api/incidents/{id}", new { status = "Resolved", resolvedAt = Base.AddMinutes(70) });
        Assert.Equal("Resolved", (await JsonAsync(resolved)).GetProperty("status").GetString());

        var timeline = await JsonAsync(await client.GetAsync($"/api/incidents/{id}/timeline?margin=30"));
        // Paging's own events (page.*, docs/oncall.md) are on the timeline too; OnCall's tests cover them.
        var kinds = timeline.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString())
            .Where(k => !k!.StartsWith("page.", StringComparison.Ordinal)).ToList();
        // The backdated moments first, then what was written now: the ticket, the declaration, the ticket resolved with the incident.
        Assert.Equal(["incident.acknowledged", "incident.note_added", "incident.resolved", "ticket.created", "ticket.linked", "incident.declared",
            "ticket.commented", "ticket.status_changed"], kinds);
        Assert.Equal(Base.AddMinutes(-30).ToUnixTimeSeconds(), timeline.GetProperty("from").GetDateTimeOffset().ToUnixTimeSeconds());

        var from = Uri.EscapeDataString(Base.AddDays(-1).ToString("O"));
        var metrics = await JsonAsync(await client.GetAsync($"/api/metrics/incidents?from={from}&service=web"));
        Assert.Equal(1, metrics.GetProperty("count").GetInt32());
        Assert.Equal(600, metrics.GetProperty("mttd").GetProperty("mean").GetDouble());
        Assert.Equal(300, metrics.GetProperty("mtta").GetProperty("median").GetDouble());
        Assert.Equal(4200, metrics.GetProperty("mttr").GetProperty("p90").GetDouble());
        Assert.Equal(JsonValueKind.Null, metrics.GetProperty("mtbf").GetProperty("mean").ValueKind);
    }

    [Fact]
    public async Task Postmortem_OneClick_WikiPagePrefilled_LinkedBothWays_SecondClickSamePage()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var id = (await JsonAsync(await client.PostAsJsonAsync("/api/incidents", new
        {
            title = "Checkout 500s",
            severity = "SEV2",
            services = new[] { "web" },
            summary = "Bad config pushed.",
            startedAt = Base,
            detectedAt = Base.AddMinutes(10),
            acknowledgedAt = Base.AddMinutes(15),
            resolvedAt = Base.AddMinutes(70),
        }))).GetProperty("id").GetInt64();
        await client.PostAsJsonAsync($"/api/incidents/{id}/notes", new { text = "config 42 rolled out", at = Base.AddMinutes(-5) });
        var postmortems = Factory.Services.GetRequiredService<IncidentPostmortems>();

        var slug = await postmortems.CreateAsync(id, As.Engineer(AdminEmail)).OkAsync();
        var again = await postmortems.CreateAsync(id, As.Engineer(AdminEmail)).OkAsync();

        Assert.Equal(("postmortems/incident-" + id, slug), (slug, again));
        var page = await Factory.Services.GetRequiredService<WikiService>().GetAsync(slug);
        Assert.NotNull(page);
        Assert.Equal($"Postmortem: SEV2 #{id} Checkout 500s", page.Title);
        Assert.Equal(1, page.Revision);
        Assert.Contains($"(/incidents/{id})", page.Body, StringComparison.Ordinal);
        Assert.Contains("Bad config pushed.", page.Body, StringComparison.Ordinal);
        Assert.Contains("time to detect 10 min 00 s", page.Body, StringComparison.Ordinal);
        Assert.Contains("time to restore 1 h 10 min", page.Body, StringComparison.Ordinal);
        Assert.Contains("(note) config 42 rolled out", page.Body, StringComparison.Ordinal);
        Assert.Equal(slug, (await JsonAsync(await client.GetAsync($"/api/incidents/{id}"))).GetProperty("postmortem").GetString());
    }

    [Fact]
    public async Task List_FiltersOpenAndSeverity()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await client.PostAsJsonAsync("/api/incidents", new { title = "open one", severity = "SEV1", services = new[] { "api" } });
        await client.PostAsJsonAsync("/api/incidents", new
        {
            title = "old one",
            severity = "SEV3",
            services = new[] { "api" },
            startedAt = Base,
            resolvedAt = Base.AddHours(1),
        });

        var open = await JsonAsync(await client.GetAsync("/api/incidents?open=true"));
        var sev3 = await JsonAsync(await client.GetAsync("/api/incidents?severity=sev3"));

        Assert.Equal(["open one"], open.EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        Assert.Equal(["old one"], sev3.EnumerateArray().Select(i => i.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task BadInput_ProblemDetails400_UnknownIncident404()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var bad = await client.PostAsJsonAsync("/api/incidents", new { title = "x", severity = "P1", services = new[] { "web" } });
        var metrics = await client.GetAsync("/api/metrics/incidents?from=yesterday");
        var missing = await client.PatchAsJsonAsync("/api/incidents/999", new { status = "Resolved" });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("SEV1, SEV2, SEV3 or SEV4", (await JsonAsync(bad)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, metrics.StatusCode);
        Assert.Contains("ISO 8601", (await JsonAsync(metrics)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Viewer_Reads_ButCannotWrite()
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var id = (await JsonAsync(await admin.PostAsJsonAsync("/api/incidents", new { title = "t", severity = "SEV4", services = new[] { "web" } })))
            .GetProperty("id").GetInt64();
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/incidents/{id}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/metrics/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/incidents", new { title = "t", severity = "SEV4", services = new[] { "web" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsJsonAsync($"/api/incidents/{id}", new { status = "Resolved" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/incidents/{id}/notes", new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/incidents/{id}/acknowledge", null)).StatusCode);
    }
}
