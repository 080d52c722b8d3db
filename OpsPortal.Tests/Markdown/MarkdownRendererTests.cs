using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using OpsPortal.Core.Markdown;
using Xunit;

namespace OpsPortal.Tests.Markdown;

public class MarkdownRendererTests
{
    private static readonly MarkdownRenderer Renderer = new([]);

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JaVaScRiPt:alert(1))")]
    [InlineData("[click](&#106;avascript:alert(1))")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[x](vbscript:msgbox(1))")]
    [InlineData("<a href=\"https://e.test\" onclick=\"steal()\">x</a>")]
    [InlineData("<iframe src=\"https://evil.test\"></iframe>")]
    [InlineData("[x](https://e.test \"t\" onmouseover=alert(1))")]
    [InlineData("<svg onload=alert(1)>")]
    [InlineData("{#x onclick=alert(1)}\n# Heading {onclick=alert(1)}")]
    [InlineData("[x](https://e.test){onclick=alert(1) style=\"position:fixed\"}")]
    public void Hostile_markdown_renders_inert(string markdown)
    {
        var html = Renderer.ToSafeHtml(markdown);

        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<body>{html}</body>");
        var elements = document.Body!.QuerySelectorAll("*");
        Assert.DoesNotContain(elements, e => e.LocalName is "script" or "iframe" or "svg" or "img" && e.HasAttribute("onerror"));
        Assert.DoesNotContain(elements, e => e.LocalName is "script" or "iframe" or "svg" or "object" or "embed");
        var attributes = elements.SelectMany(e => e.Attributes).ToList();
        Assert.DoesNotContain(attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)
            || (a.Name == "style" && !a.Value.StartsWith("text-align:", StringComparison.Ordinal)));
        Assert.DoesNotContain(attributes, a => a.Name is "href" or "src"
            && Uri.TryCreate(a.Value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is not ("http" or "https" or "mailto"));
    }

    [Fact]
    public void Raw_html_is_shown_as_text_not_dropped()
    {
        var html = Renderer.ToSafeHtml("before <b>bold</b> after");

        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", html);
    }

    [Fact]
    public void Tables_task_lists_heading_anchors_and_code_languages_survive_sanitising()
    {
        const string markdown = """
            # Fail over

            | step | who |
            |------|:---:|
            | 1    | dba |

            - [x] page the DBA
            - [ ] promote the replica

            ```sql
            SELECT 1;
            ```
            """;

        var html = Renderer.ToSafeHtml(markdown);

        Assert.Contains("<h1 id=\"fail-over\">", html);
        Assert.Contains("<table>", html);
        Assert.Contains("style=\"text-align: center\"", html);
        Assert.Contains("type=\"checkbox\"", html);
        Assert.Contains("checked", html);
        Assert.Contains("class=\"language-sql\"", html);
    }

    [Fact]
    public void External_links_open_in_a_new_tab_without_the_opener()
    {
        var html = Renderer.ToSafeHtml("[docs](https://example.test/x)");

        Assert.Contains("rel=\"noopener noreferrer\"", html);
        Assert.Contains("target=\"_blank\"", html);
    }

    [Fact]
    public void Oversized_input_is_refused_before_parsing()
    {
        var error = Assert.Throws<ArgumentException>(() => Renderer.Parse(new string('a', MarkdownRenderer.MaxLength + 1)));

        Assert.Contains("longer than", error.Message);
    }

    [Theory]
    [InlineData("See OPS-12.", new[] { "OPS-12" })]
    [InlineData("OPS-12, OPS-7 and (INFRA2-99)", new[] { "OPS-12", "OPS-7", "INFRA2-99" })]
    [InlineData("xOPS-12 OPS-12a OPS-12-3 OPS- O-1 ops-1 /OPS-1 a_OPS-1", new string[0])]
    [InlineData("`OPS-12` in code", new string[0])]
    [InlineData("**OPS-3** in bold", new[] { "OPS-3" })]
    public void Ticket_keys_are_recognised_at_word_boundaries_only(string markdown, string[] expected)
    {
        var keys = Renderer.Parse(markdown).Descendants<TicketReferenceInline>().Select(t => t.Key);

        Assert.Equal(expected, keys);
    }

    [Fact]
    public async Task Known_ticket_becomes_a_link_with_title_and_status_unknown_stays_text()
    {
        var service = new MarkdownService(Renderer, [new FakeTickets(new TicketReference("OPS-12", "Disk <full>", "Open"))]);

        var html = await service.RenderAsync("OPS-12 and OPS-13");

        Assert.Contains("<a class=\"ticket-ref\" href=\"/tickets/OPS-12\" title=\"Disk &lt;full&gt; (Open)\" data-status=\"Open\">OPS-12</a>", html);
        Assert.Contains(" and OPS-13", html);
        Assert.DoesNotContain("/tickets/OPS-13", html);
    }

    [Fact]
    public async Task Ticket_key_inside_a_link_does_not_nest_links()
    {
        var service = new MarkdownService(Renderer, [new FakeTickets(new TicketReference("OPS-12", "t", "Open"))]);

        var html = await service.RenderAsync("[OPS-12](https://ci.example.test/1)");

        Assert.DoesNotContain("ticket-ref", html);
        Assert.Contains(">OPS-12</a>", html);
    }

    /// <summary>Stands in for the tickets feature's enricher: these tests are about rendering, not lookup.</summary>
    private sealed class FakeTickets(params TicketReference[] known) : IMarkdownEnricher
    {
        public Task EnrichAsync(IReadOnlyList<MarkdownDocument> documents, CancellationToken cancellationToken)
        {
            foreach (var inline in documents.SelectMany(d => d.Descendants<TicketReferenceInline>()))
            {
                inline.Ticket = known.FirstOrDefault(t => t.Key == inline.Key);
            }
            return Task.CompletedTask;
        }
    }
}
