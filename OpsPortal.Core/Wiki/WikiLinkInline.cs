using Markdig.Helpers;
using Markdig.Parsers;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace OpsPortal.Core.Wiki;

/// <summary>A <c>[[Page]]</c> or <c>[[path/to/page|label]]</c> link; <see cref="WikiLinkEnricher"/> sets <see cref="Exists"/>.</summary>
internal sealed class WikiLinkInline : LeafInline
{
    /// <summary>The address the name makes; the enricher replaces it with the page found by title.</summary>
    public required string Target { get; set; }

    /// <summary>The page name as written (<c>Postgres replica lag</c>).</summary>
    public required string Name { get; init; }

    public required string Label { get; init; }

    /// <summary>Null until enriched; a link rendered without enrichment is not marked broken.</summary>
    public bool? Exists { get; set; }
}

/// <summary>Parses <c>[[…]]</c> on one line, before Markdig's own link parser sees the brackets.</summary>
internal sealed class WikiLinkInlineParser : InlineParser
{
    public WikiLinkInlineParser()
    {
        OpeningCharacters = ['['];
    }

    public override bool Match(InlineProcessor processor, ref StringSlice slice)
    {
        if (slice.PeekChar(1) != '[')
        {
            return false;
        }
        var text = slice.Text;
        var contentStart = slice.Start + 2;
        var close = text.IndexOf("]]", contentStart, Math.Max(0, slice.End - contentStart + 1), StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }
        var match = WikiLinkParser.LinkPattern().Match(text[slice.Start..(close + 2)]);
        if (!match.Success || match.Index != 0 || match.Length != close + 2 - slice.Start)
        {
            return false;
        }
        var target = WikiSlug.From(match.Groups[1].Value);
        if (!WikiSlug.IsValid(target))
        {
            return false;
        }
        var label = match.Groups[2].Success && match.Groups[2].Value.Trim().Length > 0 ? match.Groups[2].Value.Trim() : match.Groups[1].Value.Trim();
        var start = processor.GetSourcePosition(slice.Start, out var line, out var column);
        processor.Inline = new WikiLinkInline
        {
            Target = target,
            Name = match.Groups[1].Value.Trim(),
            Label = label,
            Span = new SourceSpan(start, processor.GetSourcePosition(close + 1)),
            Line = line,
            Column = column,
        };
        slice.Start = close + 2;
        return true;
    }
}

/// <summary>An anchor to the page; a link to a page that does not exist is marked so it stands out (and offers to create it).</summary>
internal sealed class WikiLinkRenderer : HtmlObjectRenderer<WikiLinkInline>
{
    protected override void Write(HtmlRenderer renderer, WikiLinkInline link)
    {
        renderer.Write("<a class=\"wiki-link").Write(link.Exists == false ? " wiki-link-missing\" title=\"No such page yet\"" : "\"")
            .Write(" href=\"/wiki/").WriteEscapeUrl(link.Target).Write("\">")
            .WriteEscape(link.Label)
            .Write("</a>");
    }
}
