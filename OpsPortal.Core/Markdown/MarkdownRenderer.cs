using Ganss.Xss;
using Markdig;
using Markdig.Extensions.GenericAttributes;
using Markdig.Extensions.MediaLinks;
using Markdig.Renderers;
using Markdig.Syntax;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// The one markdown pipeline of OpsPortal (tickets, comments, wiki, deploy notes, incidents).
/// Raw HTML in the source is not passed through at all, no attribute syntax is parsed, and the
/// generated HTML is sanitised again (<see cref="MarkdownSanitizer"/>), so neither hostile HTML, a
/// <c>javascript:</c> link, a borrowed class or id, nor a remote image survives.
/// Features add syntax with Markdig extensions registered in DI
/// (<c>services.AddSingleton&lt;IMarkdownExtension, …&gt;()</c>).
/// </summary>
public sealed class MarkdownRenderer
{
    /// <summary>Longer input is refused before parsing: a pathological document must not pin a core.</summary>
    public const int MaxLength = 1_000_000;

    private readonly MarkdownPipeline _pipeline;
    private readonly HtmlSanitizer _sanitizer;

    public MarkdownRenderer(IEnumerable<IMarkdownExtension> extensions)
    {
        var builder = new MarkdownPipelineBuilder()
            .UseAdvancedExtensions()
            .DisableHtml();
        // `{.class #id style=…}` after any element let an author reuse the portal's own classes and ids
        // (a link that covers the page); media links embed players from any host.
        builder.Extensions.TryRemove<GenericAttributesExtension>();
        builder.Extensions.TryRemove<MediaLinkExtension>();
        builder.Extensions.AddIfNotAlready<TicketReferenceExtension>();
        foreach (var extension in extensions)
        {
            builder.Extensions.Add(extension);
        }
        _pipeline = builder.Build();
        _sanitizer = MarkdownSanitizer.Create();
    }

    public MarkdownDocument Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        if (markdown.Length > MaxLength)
        {
            throw new ArgumentException($"Markdown is longer than {MaxLength:N0} characters.", nameof(markdown));
        }
        return Markdig.Markdown.Parse(markdown, _pipeline);
    }

    /// <summary>Renders a parsed (and possibly enriched) document to safe HTML.</summary>
    internal string ToSafeHtml(MarkdownDocument document)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        _pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return _sanitizer.Sanitize(writer.ToString());
    }

    /// <summary>Parse and render without enrichment (ticket keys stay plain text).</summary>
    internal string ToSafeHtml(string markdown) => ToSafeHtml(Parse(markdown));
}
