using AngleSharp.Dom;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Markdown that takes over the page: no author-chosen class, id or style (the generic-attributes
/// syntax is off and the sanitiser keeps only what the pipeline writes), and no image from another
/// host — for every feature, since tickets, wiki and incidents share one pipeline.
/// </summary>
public sealed class MarkdownInjectionTests
{
    private static readonly MarkdownRenderer Renderer = new([]);

    private static IElement Body(string markdown) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<body>{Renderer.ToSafeHtml(markdown)}</body>").Body!;

    [Theory]
    [InlineData("[Click me](https://evil.example){.mud-overlay .fixed}")]
    [InlineData("[Click me](https://evil.example){#app .mud-overlay style=\"position:fixed;inset:0\"}")]
    [InlineData("# Title {#blazor-error-ui .mud-appbar}")]
    [InlineData("::: mud-overlay mud-overlay-dark\ncover\n:::")]
    [InlineData("Some *text*{.mud-overlay} and `code`{.fixed}")]
    [InlineData("| a |\n|---|\n| b |{.mud-overlay}")]
    [InlineData("- item {.mud-popover-open}")]
    public void AuthorChosenClassIdOrStyle_NeverReachesThePage(string markdown)
    {
        var elements = Body(markdown).QuerySelectorAll("*");

        var classes = elements.SelectMany(e => e.ClassList).ToList();
        Assert.All(classes, c => Assert.True(MarkdownSanitizer.IsAllowedClass(c), $"class '{c}' came through"));
        Assert.DoesNotContain(classes, c => c.StartsWith("mud-", StringComparison.Ordinal) || c == "fixed");
        Assert.DoesNotContain(elements, e => e.Id is "app" or "blazor-error-ui");
        Assert.DoesNotContain(elements, e => e.HasAttribute("style"));
    }

    [Fact]
    public void IdsOnlyOnHeadingsAndFootnotes_ClassesOnlyThePipelines()
    {
        var body = Body("""
            # Fail over

            Done[^1]. - [x] checked

            ```sql
            SELECT 1;
            ```

            [^1]: A footnote.
            """);

        Assert.Equal("fail-over", body.QuerySelector("h1")!.Id);
        Assert.All(body.QuerySelectorAll("[id]"), e => Assert.True(e.LocalName is "h1" or "li" or "a", e.OuterHtml));
        Assert.NotNull(body.QuerySelector("a.footnote-ref"));
        Assert.NotNull(body.QuerySelector("code.language-sql"));
    }

    [Theory]
    [InlineData("![chart](https://evil.example/track.png)", "evil.example")]
    [InlineData("![chart](http://10.0.0.5/internal.png)", "10.0.0.5")]
    [InlineData("![chart](//evil.example/track.png)", null)]
    [InlineData("[![badge](https://evil.example/b.svg)](https://example.com)", "evil.example")]
    [InlineData("![movie](https://evil.example/clip.mp4)", "evil.example")]
    [InlineData("![tube](https://www.youtube.com/watch?v=dQw4w9WgXcQ)", "www.youtube.com")]
    public void RemoteImage_IsAVisiblePlaceholder_NotAFetch(string markdown, string? host)
    {
        var body = Body(markdown);

        Assert.Empty(body.QuerySelectorAll("img, video, audio, source, iframe, object, embed, picture"));
        Assert.DoesNotContain(body.QuerySelectorAll("*").SelectMany(e => e.Attributes), a => a.Name is "src" or "srcset" or "poster" or "background");
        var placeholder = body.QuerySelector("span.remote-image");
        Assert.NotNull(placeholder);
        if (host is not null)
        {
            Assert.Contains(host, placeholder.TextContent, StringComparison.Ordinal);
            Assert.All(body.QuerySelectorAll("a"), a => Assert.Equal("noopener noreferrer", a.GetAttribute("rel")));
        }
    }

    [Fact]
    public void PortalImage_IsShown()
    {
        var image = Body("![dot](/api/wiki-images/7d9c3f0e-0000-4000-8000-000000000001)").QuerySelector("img");

        Assert.Equal("/api/wiki-images/7d9c3f0e-0000-4000-8000-000000000001", image?.GetAttribute("src"));
    }

    [Fact]
    public async Task EveryFeature_RendersThroughTheSamePipeline()
    {
        // Tickets, comments and incident notes render with MarkdownService, the wiki with WikiRenderer:
        // both must come out of the one sanitiser.
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new OpsPortalFactory(database);
        await factory.StartAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        const string Hostile = "[x](https://evil.example){.mud-overlay}\n\n![t](https://evil.example/t.png)";

        var ticketHtml = await scope.ServiceProvider.GetRequiredService<MarkdownService>().RenderAsync(Hostile);
        var wikiHtml = (await scope.ServiceProvider.GetRequiredService<WikiRenderer>().RenderAsync(Hostile)).Value.Html;

        foreach (var html in new[] { ticketHtml, wikiHtml })
        {
            Assert.DoesNotContain("mud-overlay\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
            Assert.Contains("remote-image", html, StringComparison.Ordinal);
        }
    }
}
