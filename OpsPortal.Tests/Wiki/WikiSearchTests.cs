using OpsPortal.Core.Wiki;

namespace OpsPortal.Tests.Wiki;

public sealed class WikiSearchTests : IAsyncLifetime
{
    private WikiTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await WikiTestHost.CreateAsync();
        var wiki = _host.Wiki;
        await wiki.SaveAsync("t", "replica-lag", new WikiSaveRequest("Postgres replica lag",
            "When the standby falls behind, check replication slots and WAL sender <script>alert(1)</script> state.", null, null));
        await wiki.SaveAsync("t", "disk", new WikiSaveRequest("Disk full",
            "Free space first. Replication may also stop when the disk fills on the standby.", null, null));
        await wiki.SaveAsync("t", "frontend", new WikiSaveRequest("5xx spike on the frontend", "Look at the load balancer.", null, null));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Search_RanksTitleAboveBodyAndHighlightsBody()
    {
        var hits = await _host.Search.SearchAsync("replication standby");

        Assert.Equal(["replica-lag", "disk"], hits.Select(h => h.Slug));
        Assert.Contains("<mark>standby</mark>", hits[1].SnippetHtml);
    }

    [Fact]
    public async Task Search_SnippetFromHostileBody_IsEncoded()
    {
        var hit = Assert.Single(await _host.Search.SearchAsync("WAL sender"));

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

        Assert.Equal(["replica-lag"], (await search.SearchAsync("standby -disk")).Select(h => h.Slug));
        Assert.Empty(await search.SearchAsync("kubernetes"));
        Assert.Empty(await search.SearchAsync("the"));
        var onlyExcluded = await Assert.ThrowsAsync<ArgumentException>(() => search.SearchAsync("-disk -\"load balancer\""));
        Assert.StartsWith("Add a word", onlyExcluded.Message);
        Assert.Empty(await search.SearchAsync("   "));
        await Assert.ThrowsAsync<ArgumentException>(() => search.SearchAsync(new string('a', 600)));
    }
}
