using Ganss.Xss;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// The one markdown pipeline of OpsPortal (tickets, comments, wiki, deploy notes, incidents).
/// Raw HTML in the source is not passed through at all, and the generated HTML is sanitised
/// again, so neither hostile HTML nor a <c>javascript:</c> link survives.
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
        builder.Extensions.AddIfNotAlready<TicketReferenceExtension>();
        foreach (var extension in extensions)
        {
            builder.Extensions.Add(extension);
        }
        _pipeline = builder.Build();
        _sanitizer = CreateSanitizer();
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
    public string ToSafeHtml(MarkdownDocument document)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        _pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return _sanitizer.Sanitize(writer.ToString());
    }

    /// <summary>Parse and render without enrichment (ticket keys stay plain text).</summary>
    public string ToSafeHtml(string markdown) => ToSafeHtml(Parse(markdown));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        // Heading anchors, code-language classes, task-list checkboxes and ticket hover titles are ours.
        sanitizer.AllowedAttributes.Add("id");
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedAttributes.Add("title");
        sanitizer.AllowedAttributes.Add("data-status");
        sanitizer.AllowedAttributes.Add("checked");
        sanitizer.AllowedAttributes.Add("disabled");
        sanitizer.AllowedAttributes.Add("type");
        sanitizer.AllowedTags.Add("input");
        sanitizer.AllowedSchemes.Add("mailto");
        // Table column alignment is the only style markdown produces; anything else could overlay the page.
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedCssProperties.Add("text-align");
        // Links that leave the portal open in a new tab and don't leak the opener.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "input" } input
                && !string.Equals(input.GetAttribute("type"), "checkbox", StringComparison.OrdinalIgnoreCase))
            {
                input.Remove();
            }
            else if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } anchor
                && anchor.GetAttribute("href") is { } href
                && (href.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || href.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                anchor.SetAttribute("rel", "noopener noreferrer");
                anchor.SetAttribute("target", "_blank");
            }
        };
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.AllowedAttributes.Add("target");
        return sanitizer;
    }
}
