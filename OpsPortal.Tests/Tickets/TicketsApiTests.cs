using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

public sealed class TicketsApiTests : ApiTestBase
{
    private const string EngineerEmail = "eng@test.local";
    private const string ViewerEmail = "viewer@test.local";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync(EngineerEmail, AdminPassword, Roles.Engineer);
        await CreateUserAsync(ViewerEmail, AdminPassword, Roles.Viewer);
        // A ticket's service must be one of the catalog's.
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        foreach (var name in new[] { "db", "web" })
        {
            (await admin.PutAsJsonAsync($"/api/services/{name}", new { description = name })).EnsureSuccessStatusCode();
        }
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, object body) =>
        await JsonAsync(await client.PostAsJsonAsync("/api/tickets", body), HttpStatusCode.Created);

    [Fact]
    public async Task Create_ThenGet_ReturnsTicketWithVersionAndNextStatuses()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);

        var created = await CreateAsync(client, new { title = "Disk full on db1", priority = "P1", type = "incident", service = "db", labels = new[] { "Disk" } });
        var ticket = await JsonAsync(await client.GetAsync($"/api/tickets/{created.GetProperty("key").GetString()}"), HttpStatusCode.OK);

        Assert.Equal("OPS-1", ticket.GetProperty("key").GetString());
        Assert.Equal(("P1", "incident", "open", "disk"), (ticket.GetProperty("priority").GetString(), ticket.GetProperty("type").GetString(),
            ticket.GetProperty("status").GetString(), ticket.GetProperty("labels")[0].GetString()));
        Assert.Equal(EngineerEmail, ticket.GetProperty("reporter").GetString());
        Assert.Equal(1, ticket.GetProperty("version").GetInt32());
        Assert.Equal(["in_progress", "blocked", "resolved"], ticket.GetProperty("nextStatuses").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Create_BadInput_ProblemDetailsNameTheField()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);

        var problem = await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new { title = "", priority = "P9" }), HttpStatusCode.BadRequest);

        Assert.Equal("Unknown priority 'P9'.", problem.GetProperty("errors").GetProperty("priority").GetString());
        var noTitle = await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new { title = " " }), HttpStatusCode.BadRequest);
        Assert.Equal("A ticket needs a title.", noTitle.GetProperty("errors").GetProperty("title").GetString());
        var nobody = await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new { title = "x", assignee = "ghost@x" }), HttpStatusCode.BadRequest);
        Assert.Contains("no active user ghost@x", nobody.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAndPatch_ServiceNotInTheCatalog_400NamingTheFieldAndTheChoices()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);

        var problem = await JsonAsync(await client.PostAsJsonAsync("/api/tickets", new { title = "t", service = "wbe" }), HttpStatusCode.BadRequest);
        await CreateAsync(client, new { title = "t", service = "web" });
        var patched = await JsonAsync(await client.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, service = "dbb" }), HttpStatusCode.BadRequest);

        Assert.Equal("“wbe” is not in the service catalog. Pick one of: db, web.", problem.GetProperty("errors").GetProperty("service").GetString());
        Assert.Equal("“dbb” is not in the service catalog. Pick one of: db, web.", patched.GetProperty("errors").GetProperty("service").GetString());
        var ticket = await JsonAsync(await client.GetAsync("/api/tickets/OPS-1"), HttpStatusCode.OK);
        Assert.Equal(("web", 1), (ticket.GetProperty("service").GetString(), ticket.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Patch_StaleVersion_Is409WithTheChangesMissed()
    {
        using var alice = await ClientForAsync(EngineerEmail, AdminPassword);
        using var bob = await ClientForAsync(AdminEmail, AdminPassword);
        await CreateAsync(alice, new { title = "Rotate certs", priority = "P3" });
        await JsonAsync(await bob.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, priority = "P1", status = "in_progress" }), HttpStatusCode.OK);

        var problem = await JsonAsync(await alice.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, title = "Rotate TLS certs" }), HttpStatusCode.Conflict);

        Assert.Equal(3, problem.GetProperty("currentVersion").GetInt32());
        var changes = problem.GetProperty("changes").EnumerateArray().SelectMany(c => c.GetProperty("changes").EnumerateArray()
            .Select(f => $"{c.GetProperty("actor").GetString()}: {f.GetProperty("field").GetString()} {f.GetProperty("from").GetString()}→{f.GetProperty("to").GetString()}"));
        Assert.Equal([$"{AdminEmail}: priority P3→P1", $"{AdminEmail}: status Open→In progress"], changes.Order());
        Assert.Contains("priority P3 → P1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var ticket = await JsonAsync(await alice.GetAsync("/api/tickets/OPS-1"), HttpStatusCode.OK);
        Assert.Equal("Rotate certs", ticket.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Patch_CurrentVersionViaIfMatch_AppliesAndClearsWithNull()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(client, new { title = "t", assignee = EngineerEmail, service = "web", dueDate = "2026-12-01" });
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/tickets/ops-1")
        {
            Content = JsonContent.Create(new { assignee = (string?)null, service = (string?)null, dueDate = (string?)null, labels = new[] { "a", "b" } }),
        };
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));

        var ticket = await JsonAsync(await client.SendAsync(request), HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, ticket.GetProperty("assignee").ValueKind);
        Assert.Equal(JsonValueKind.Null, ticket.GetProperty("service").ValueKind);
        Assert.Equal(JsonValueKind.Null, ticket.GetProperty("dueDate").ValueKind);
        Assert.Equal(2, ticket.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Patch_WithoutVersion_Is400_AndDisallowedMove_Is422()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(client, new { title = "t" });

        var noVersion = await JsonAsync(await client.PatchAsJsonAsync("/api/tickets/OPS-1", new { title = "u" }), HttpStatusCode.BadRequest);
        var badMove = await JsonAsync(await client.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, status = "closed" }), HttpStatusCode.UnprocessableEntity);
        var unknownField = await JsonAsync(await client.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, colour = "red" }), HttpStatusCode.BadRequest);

        Assert.Contains("version", noVersion.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal("A ticket cannot move from Open to Closed. From Open it can go to: In progress, Blocked, Resolved.", badMove.GetProperty("detail").GetString());
        Assert.Contains("Unknown field 'colour'", unknownField.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_ReadsButEveryWriteIs403()
    {
        using var engineer = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(engineer, new { title = "t" });
        using var viewer = await ClientForAsync(ViewerEmail, AdminPassword);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tickets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/tickets/OPS-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/tickets", new { title = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsJsonAsync("/api/tickets/OPS-1", new { version = 1, title = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/tickets/OPS-1/comments", new { body = "x" })).StatusCode);
        var ticket = await JsonAsync(await viewer.GetAsync("/api/tickets/OPS-1"), HttpStatusCode.OK);
        Assert.Equal(("t", 1, 0), (ticket.GetProperty("title").GetString(), ticket.GetProperty("version").GetInt32(), ticket.GetProperty("comments").GetArrayLength()));
    }

    [Fact]
    public async Task Anonymous_Is401()
    {
        using var anonymous = Factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/tickets")).StatusCode);
    }

    [Fact]
    public async Task HostileMarkdown_InDescriptionAndComment_IsInert()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(client, new { title = "<script>alert('t')</script>", description = "<img src=x onerror=alert(1)> [x](javascript:alert(2)) see OPS-1" });
        await JsonAsync(await client.PostAsJsonAsync("/api/tickets/OPS-1/comments", new { body = "<iframe src=//evil></iframe>" }), HttpStatusCode.Created);

        var ticket = await JsonAsync(await client.GetAsync("/api/tickets/OPS-1"), HttpStatusCode.OK);

        var html = ticket.GetProperty("descriptionHtml").GetString()!;
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        // The self-reference resolves through the ticket enricher; its hostile title is escaped in the hover text.
        Assert.Contains("<a class=\"ticket-ref\" href=\"/tickets/OPS-1\" title=\"&lt;script&gt;alert('t')&lt;/script&gt; (Open)\"", html, StringComparison.Ordinal);
        Assert.Equal("<iframe src=//evil></iframe>", ticket.GetProperty("comments")[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task List_FiltersByMeAndPriority_AndRefusesUnknownParameters()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(client, new { title = "mine P1", priority = "P1", assignee = EngineerEmail });
        await CreateAsync(client, new { title = "nobody's P1", priority = "P1" });
        await CreateAsync(client, new { title = "mine P3", priority = "P3", assignee = EngineerEmail });

        var mine = await JsonAsync(await client.GetAsync("/api/tickets?assignee=@me&sort=priority"), HttpStatusCode.OK);
        var unassignedP1 = await JsonAsync(await client.GetAsync("/api/tickets?status=active&priority=P1&assignee=none"), HttpStatusCode.OK);
        var bad = await JsonAsync(await client.GetAsync("/api/tickets?status=done"), HttpStatusCode.BadRequest);

        Assert.Equal(["mine P1", "mine P3"], mine.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("title").GetString()));
        Assert.Equal(2, mine.GetProperty("total").GetInt32());
        Assert.Equal(["nobody's P1"], unassignedP1.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("title").GetString()));
        Assert.Equal("Unknown status 'done'.", bad.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Search_FindsByCommentTextWithHighlightedSnippet_AndByKey()
    {
        using var client = await ClientForAsync(EngineerEmail, AdminPassword);
        await CreateAsync(client, new { title = "Checkout slow", description = "p95 up since Tuesday" });
        await CreateAsync(client, new { title = "Unrelated" });
        await JsonAsync(await client.PostAsJsonAsync("/api/tickets/OPS-1/comments", new { body = "The <b>connection pool</b> was exhausted" }), HttpStatusCode.Created);

        var hits = await JsonAsync(await client.GetAsync("/api/tickets/search?q=exhausted%20pool"), HttpStatusCode.OK);
        var byKey = await JsonAsync(await client.GetAsync("/api/tickets/search?q=ops-2"), HttpStatusCode.OK);

        var hit = Assert.Single(hits.EnumerateArray());
        Assert.Equal("OPS-1", hit.GetProperty("key").GetString());
        // ts_headline drops tag-like tokens; whatever text remains is HTML-encoded around the marks.
        Assert.Equal("connection <mark>pool</mark>  was <mark>exhausted</mark>", hit.GetProperty("snippetHtml").GetString()!.Trim());
        Assert.Equal("OPS-2", byKey[0].GetProperty("key").GetString());
    }
}
