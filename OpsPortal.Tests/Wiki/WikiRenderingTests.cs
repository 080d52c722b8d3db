using Markdig;
using Markdig.Syntax;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Tests.Wiki;

/// <summary>The wiki's extensions on the shared pipeline, and hostile input through them.</summary>
public sealed class WikiRenderingTests
{
    private static readonly MarkdownRenderer Renderer = new([new WikiMarkdownExtension()]);

    private static async Task<WikiRendered> RenderAsync(string markdown, params string[] existing) =>
        (await new WikiRenderer(Renderer, [new FixedLinks(existing)]).RenderAsync(markdown)).Value;

    [Theory]
    [InlineData("<script>alert(1)</script>", "<script")]
    [InlineData("<img src=x onerror=alert(1)>", "<img")]
    [InlineData("[click](javascript:alert(1))", "javascript:")]
    [InlineData("![x](javascript:alert(1))", "javascript:")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:")]
    [InlineData("{onclick=alert(1)}\n# Heading {onclick=\"alert(1)\"}", " onclick=")]
    [InlineData("[[x\" onmouseover=\"alert(1)]]", "onmouseover=\"alert(1)\">")]
    [InlineData("[[page|<img src=x onerror=alert(1)>]]", "<img")]
    [InlineData("```bash\necho \"<script>alert(1)</script>\"\n```", "<script")]
    [InlineData("```sql\nSELECT '</span><script>alert(1)</script>'\n```", "<script")]
    public async Task Hostile_Input_IsInert(string markdown, string forbidden)
    {
        var html = (await RenderAsync(markdown)).Html;

        Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WikiLinks_LabelsAndMissingPagesMarked()
    {
        var html = (await RenderAsync("See [[Postgres replica lag]] and [[databases/pg/failover|failover]].", "databases/pg/failover")).Html;

        Assert.Contains("<a class=\"wiki-link wiki-link-missing\" title=\"No such page yet\" href=\"/wiki/postgres-replica-lag\">Postgres replica lag</a>", html);
        Assert.Contains("<a class=\"wiki-link\" href=\"/wiki/databases/pg/failover\">failover</a>", html);
    }

    [Fact]
    public async Task WikiLinks_InCode_StayText()
    {
        var html = (await RenderAsync("`[[not a link]]`")).Html;

        Assert.DoesNotContain("wiki-link", html);
        Assert.Contains("[[not a link]]", html);
    }

    [Fact]
    public async Task Toc_HeadingsWithAnchors()
    {
        var rendered = await RenderAsync("# Symptoms\ntext\n## Check `pg_stat_replication`\n#### too deep\n# Mitigation");

        Assert.Equal([(1, "symptoms", "Symptoms"), (2, "check-pg_stat_replication", "Check pg_stat_replication"), (1, "mitigation", "Mitigation")],
            rendered.Toc.Select(t => (t.Level, t.Id, t.Text)));
        Assert.Contains("id=\"mitigation\"", rendered.Html);
    }

    [Fact]
    public async Task Code_HighlightedWithTokenSpans_UnknownLanguagePlain()
    {
        var html = (await RenderAsync("```sql\nSELECT 1 -- note\n```\n\n```brainfuck\n+++\n```")).Html;

        Assert.Contains("<span class=\"tok-keyword\">SELECT</span>", html);
        Assert.Contains("<span class=\"tok-comment\">-- note</span>", html);
        Assert.Contains("<code class=\"language-brainfuck\">+++", html);
    }

    [Fact]
    public async Task TablesAndTaskLists_Render()
    {
        var html = (await RenderAsync("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo")).Html;

        Assert.Contains("<table", html);
        Assert.Contains("type=\"checkbox\"", html);
    }

    [Theory]
    [InlineData("if [ -n \"$HOST\" ]; then echo $HOST # say hi\nfi", "bash", "<span class=\"tok-variable\">$HOST</span> <span class=\"tok-comment\">")]
    [InlineData("key: \"value\" # c", "yaml", "<span class=\"tok-key\">key</span>")]
    [InlineData("{\"a\": true}", "json", "<span class=\"tok-key\">&quot;a&quot;</span>")]
    public void Highlighter_Languages(string code, string language, string expected) =>
        Assert.Contains(expected, CodeHighlighter.ToHtml(code, language));

    private sealed class FixedLinks(string[] existing) : IMarkdownEnricher
    {
        public Task EnrichAsync(IReadOnlyList<Markdig.Syntax.MarkdownDocument> documents, CancellationToken cancellationToken)
        {
            foreach (var link in documents.SelectMany(d => d.Descendants<WikiLinkInline>()))
            {
                link.Exists = existing.Contains(link.Target);
            }
            return Task.CompletedTask;
        }
    }
}
