using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

public sealed class WikiApiTests : ApiTestBase
{
    private HttpClient _client = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _client = await ClientForAsync(AdminEmail, AdminPassword);
    }

    private Task<HttpResponseMessage> PutAsync(string slug, string body, int? baseRevision, string title = "Failover", HttpClient? client = null) =>
        (client ?? _client).PutAsJsonAsync($"/api/wiki/{slug}", new { title, body, baseRevision, message = "via api", services = new[] { "postgres" } });

    [Fact]
    public async Task Put_CreateThenGet_RendersSanitisedHtml()
    {
        var created = await PutAsync("databases/postgres/failover", "# Steps\n\nRun `pg_ctl promote`. <script>alert(1)</script> [[On call]]", null);
        var page = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/databases/postgres/failover");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/wiki/databases/postgres/failover", created.Headers.Location!.OriginalString);
        Assert.Equal(1, page.GetProperty("revision").GetInt32());
        var html = page.GetProperty("html").GetString()!;
        Assert.Contains("<h2 id=\"steps\">", html.Replace("<h1", "<h2").Replace("</h1>", "</h2>"));
        Assert.DoesNotContain("<script", html);
        Assert.Contains("wiki-link-missing", html);
        Assert.Equal(["postgres"], page.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Put_StaleBaseRevision_409WithCurrentRevision()
    {
        await PutAsync("runbook", "base", null);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("runbook", "theirs", 1)).StatusCode);

        var stale = await PutAsync("runbook", "mine", 1);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, problem.GetProperty("currentRevision").GetInt32());
        Assert.Equal("theirs", problem.GetProperty("current").GetProperty("body").GetString());
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Writes_AsViewer_403_ReadsAllowed()
    {
        await PutAsync("runbook", "x", null);
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync("runbook", "y", 1, client: viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsJsonAsync("/api/wiki/runbook", new { slug = "moved" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/wiki/runbook/revisions/1/restore", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/wiki/runbook")).StatusCode);
    }

    [Fact]
    public async Task Revisions_DiffOfAnyTwo_AndRestore()
    {
        await PutAsync("runbook", "alpha\nbeta\ngamma", null);
        await PutAsync("runbook", "alpha\nBETA\ngamma", 1);
        await PutAsync("runbook", "alpha\nBETA\ngamma\ndelta", 2);

        var history = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/runbook/revisions");
        var diff = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/runbook/diff?from=1&to=3");
        var restore = await _client.PostAsync("/api/wiki/runbook/revisions/1/restore", null);
        var page = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/runbook");

        Assert.Equal([3, 2, 1], history.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal("admin@test.local", history[0].GetProperty("author").GetString());
        Assert.Equal(2, diff.GetProperty("diff").GetProperty("added").GetInt32());
        Assert.Equal(1, diff.GetProperty("diff").GetProperty("removed").GetInt32());
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal((4, "alpha\nbeta\ngamma"), (page.GetProperty("revision").GetInt32(), page.GetProperty("body").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/wiki/runbook/diff?from=1&to=9")).StatusCode);
    }

    [Fact]
    public async Task PageOperations_HaveTheirOwnRoutes_DescribedInOpenApi_AndTheOldAddressesAnswerTheSame()
    {
        await PutAsync("db/runbook", "alpha", null);
        await PutAsync("db/runbook", "beta", 1);

        var history = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/revisions?slug=db/runbook");
        var first = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/revisions/1?slug=db/runbook");
        var oldFirst = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/db/runbook/revisions/1");
        var diff = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/diff?slug=db/runbook&from=1&to=2");
        var restored = await _client.PostAsync("/api/wiki/revisions/1/restore?slug=db/runbook", null);
        var openApi = await _client.GetStringAsync("/openapi/v1.json");

        Assert.Equal([2, 1], history.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        Assert.Equal(("alpha", "alpha"), (first.GetProperty("body").GetString(), oldFirst.GetProperty("body").GetString()));
        Assert.Equal((1, 2, 1), (diff.GetProperty("from").GetInt32(), diff.GetProperty("to").GetInt32(), diff.GetProperty("diff").GetProperty("added").GetInt32()));
        Assert.Equal(3, (await restored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt32());
        foreach (var path in new[] { "/api/wiki/revisions", "/api/wiki/revisions/{number}", "/api/wiki/revisions/{number}/restore", "/api/wiki/diff" })
        {
            Assert.Contains($"\"{path}\"", openApi, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/wiki/revisions?slug=nothing")).StatusCode);
    }

    [Theory]
    [InlineData("/api/wiki/a/b/revisions", "", "/api/wiki/revisions", "?slug=a%2Fb")]
    [InlineData("/api/wiki/a/revisions/12", "", "/api/wiki/revisions/12", "?slug=a")]
    [InlineData("/api/wiki/a/b/revisions/3/restore", "", "/api/wiki/revisions/3/restore", "?slug=a%2Fb")]
    [InlineData("/api/wiki/a/b/diff", "?from=1&to=3", "/api/wiki/diff", "?slug=a%2Fb&from=1&to=3")]
    public void LegacyAddress_IsRewrittenToTheOperationsRoute(string path, string query, string newPath, string newQuery)
    {
        Assert.True(OpsPortal.Web.Features.Wiki.WikiLegacyAddresses.TryRewrite(new(path), new(query), out var p, out var q));
        Assert.Equal((newPath, newQuery), (p.Value, q.Value));
    }

    [Theory]
    [InlineData("/api/wiki/a/b")]
    [InlineData("/api/wiki/revisions")]
    [InlineData("/api/wiki/diff")]
    [InlineData("/api/wiki-images/2f1c")]
    public void PageAndNewAddresses_AreLeftAlone(string path) =>
        Assert.False(OpsPortal.Web.Features.Wiki.WikiLegacyAddresses.TryRewrite(new(path), QueryString.Empty, out _, out _));

    [Fact]
    public async Task Move_OldSlugStillAnswers_LinksStayValid()
    {
        await PutAsync("pg/failover", "steps", null);
        await PutAsync("on-call", "see [[pg/failover]]", null, title: "On call");

        var moved = await _client.PatchAsJsonAsync("/api/wiki/pg/failover", new { slug = "databases/pg/failover" });
        var viaOld = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/pg/failover");
        var linking = await _client.GetFromJsonAsync<JsonElement>("/api/wiki/on-call");

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("databases/pg/failover", viaOld.GetProperty("slug").GetString());
        Assert.Equal("pg/failover", viaOld.GetProperty("redirectedFrom").GetString());
        Assert.DoesNotContain("wiki-link-missing", linking.GetProperty("html").GetString());
    }

    [Fact]
    public async Task BadInput_ProblemDetails()
    {
        var badSlug = await PutAsync("Bad Slug", "x", null);
        var noTitle = await PutAsync("ok", "x", null, title: "");
        var missing = await _client.GetAsync("/api/wiki/nothing-here");
        var badRevision = await PutAsync("nothing-here", "x", 4);

        Assert.Equal(HttpStatusCode.BadRequest, badSlug.StatusCode);
        Assert.Contains("lower-case", (await badSlug.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noTitle.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, badRevision.StatusCode);
    }

    [Fact]
    public async Task Search_RankedWithSnippet()
    {
        await PutAsync("replica-lag", "Check the standby's WAL receiver and replication slots.", null, title: "Postgres replica lag");

        var hits = await _client.GetFromJsonAsync<JsonElement>("/api/wiki?q=replication");

        Assert.Equal("replica-lag", hits[0].GetProperty("slug").GetString());
        Assert.Contains("<mark>replication</mark>", hits[0].GetProperty("snippetHtml").GetString());
        var onlyExcluded = await _client.GetAsync("/api/wiki?q=-mysql");
        Assert.Equal(HttpStatusCode.BadRequest, onlyExcluded.StatusCode);
        Assert.Contains("Add a word", (await onlyExcluded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_UploadThenServe_TypeCheckedAndSizeLimited()
    {
        await PutAsync("runbook", "x", null);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

        var created = await _client.PostAsync("/api/wiki-images?slug=runbook&name=graph.png", new ByteArrayContent(png));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var served = await _client.GetAsync(body.GetProperty("url").GetString());
        var html = await _client.PostAsync("/api/wiki-images?slug=runbook&name=x.html", new StringContent("<html><script>alert(1)</script>"));
        var big = await _client.PostAsync("/api/wiki-images?slug=runbook&name=big.png", new ByteArrayContent([.. png, .. new byte[3 * 1024 * 1024]]));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("![graph](/api/wiki-images/", body.GetProperty("markdown").GetString());
        Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, html.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }
}
