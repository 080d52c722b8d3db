using OpsPortal.Core.Markdown;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

/// <summary>Issue 21.6: <c>[[Title]]</c> finds the page by its title too; the Runbook template links nowhere broken; snippets read as text.</summary>
public sealed class WikiLinkByTitleTests : IAsyncLifetime
{
    private WikiTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await WikiTestHost.CreateAsync();
        await _host.Wiki.SaveAsync(As.Engineer("t"), "databases/postgres/replica-lag", new WikiSaveRequest("Postgres replica lag",
            "## Check\nWhen the **standby** falls behind, see [[databases/pg/failover|the failover runbook]] and [slots](/wiki/slots).\n\n| step | who |\n|---|---|\n| drop the `standby` slot | DBA |", null, null)).OkAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<string> HtmlAsync(string markdown) =>
        new MarkdownService(new MarkdownRenderer([new WikiMarkdownExtension()]), [new WikiLinkEnricher(_host.Wiki)]).RenderAsync(markdown);

    [Fact]
    public async Task Render_LinkByTitle_LeadsToThePageAndIsNotBroken()
    {
        var html = await HtmlAsync("See [[Postgres replica lag]] and [[postgres replica LAG|lag]].");

        Assert.Contains("<a class=\"wiki-link\" href=\"/wiki/databases/postgres/replica-lag\">Postgres replica lag</a>", html);
        Assert.Contains("<a class=\"wiki-link\" href=\"/wiki/databases/postgres/replica-lag\">lag</a>", html);
        Assert.DoesNotContain("wiki-link-missing", html);
    }

    [Fact]
    public async Task Render_UnknownName_StillMarkedMissing()
    {
        var html = await HtmlAsync("[[Postgres replica lead]]");

        Assert.Contains("wiki-link-missing", html);
    }

    [Fact]
    public async Task Save_LinkByTitle_IsNotABrokenLinkAndIsABacklink()
    {
        await _host.Wiki.SaveAsync(As.Engineer("t"), "on-call", new WikiSaveRequest("On call", "Start at [[Postgres replica lag]].", null, null)).OkAsync();

        Assert.DoesNotContain(await _host.Wiki.BrokenLinksAsync(), l => l.FromSlug == "on-call");
        var target = (await _host.Wiki.GetAsync("databases/postgres/replica-lag"))!;
        Assert.Contains(await _host.Wiki.BacklinksAsync(target.Id), l => l.FromSlug == "on-call");
    }

    [Fact]
    public async Task RunbookTemplate_OnAnEmptyWiki_HasNoBrokenLink()
    {
        var html = await HtmlAsync(WikiTemplates.Runbook.Body);

        Assert.DoesNotContain("wiki-link-missing", html);
        Assert.Contains("href=\"/deploys\"", html);
    }

    [Fact]
    public async Task Search_Snippet_ShowsTextNotMarkdown()
    {
        var hit = Assert.Single(await _host.Search.SearchAsync("standby").OkAsync());

        Assert.Contains("<mark>standby</mark>", hit.SnippetHtml);
        foreach (var raw in new[] { "**", "[[", "](", "##", "|", "`", "---" })
        {
            Assert.DoesNotContain(raw, hit.SnippetHtml);
        }
        Assert.Contains("the failover runbook", hit.SnippetHtml);
    }
}
