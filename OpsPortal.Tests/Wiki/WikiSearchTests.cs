using OpsPortal.Core.Wiki;

using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

public sealed class WikiSearchTests : IAsyncLifetime
{
    private WikiTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await WikiTestHost.CreateAsync();
        var wiki = _host.Wiki;
        await wiki.SaveAsync(As.Engineer("t"), "replica-lag", new WikiSaveRequest("Postgres replica lag",
            "When the standby falls behind, check replication slots and WAL sender <script>alert(1)</script> state.", null, null));
        await wiki.SaveAsync(As.Engineer("t"), "disk", new WikiSaveRequest("Disk full",
            "Free space first. Replication may also stop when the disk fills on the standby.", null, null));
        await wiki.SaveAsync(As.Engineer("t"), "frontend", new WikiSaveRequest("5xx spike on the frontend", "Look at the load balancer.", null, null));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Search_RanksTitleAboveBodyAndHighlightsBody()
    {
        var hits = await _host.Search.SearchAsync("replication standby").OkAsync();

        Assert.Equal(["replica-lag", "disk"], hits.Select(h => h.Slug));
        Assert.Contains("<mark>standby</mark>", hits[1].SnippetHtml);
    }

    [Fact]
    public async Task Search_SnippetFromHostileBody_IsEncoded()
    {
        var hit = Assert.Single(await _host.Search.SearchAsync("WAL sender").OkAsync());

        Assert.Contains("<mark>WAL</mark>", hit.SnippetHtml);
        Assert.DoesNotContain('<', hit.SnippetHtml.Replace("<mark>", "").Replace("</mark>", ""));
    }

    [Fact]
    public void SnippetHtml_EncodesEverythingButTheHitMarkers()
    {
        Assert.Equal("a &lt;b&gt; &amp; <mark>c</mark>", WikiSearch.SnippetHtml("a <b> & \uE000c\uE001"));
    }

    [Fact]
    public async Task Search_WebSyntaxAndNoMatch()
    {
        var search = _host.Search;

        Assert.Equal(["replica-lag"], (await search.SearchAsync("standby -disk").OkAsync()).Select(h => h.Slug));
        Assert.Empty(await search.SearchAsync("kubernetes").OkAsync());
        Assert.Empty(await search.SearchAsync("the").OkAsync());
        var onlyExcluded = await search.SearchAsync("-disk -\"load balancer\"").RefusedAsync(OpsPortal.Core.RefusalKind.Invalid);
        Assert.StartsWith("Add a word", onlyExcluded.Detail, StringComparison.Ordinal);
        Assert.Empty(await search.SearchAsync("   ").OkAsync());
        await search.SearchAsync(new string('a', 600)).RefusedAsync(OpsPortal.Core.RefusalKind.Invalid);
    }
}
