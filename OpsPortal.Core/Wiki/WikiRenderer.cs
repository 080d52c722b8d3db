using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Wiki;

/// <summary>One entry of a page's table of contents: a heading and the anchor the pipeline gave it.</summary>
public sealed record WikiTocEntry(int Level, string Id, string Text);

public sealed record WikiRendered(string Html, IReadOnlyList<WikiTocEntry> Toc);

/// <summary>
/// A page's HTML through the shared pipeline (with every enricher, so ticket keys and wiki links
/// resolve) plus its table of contents, read from the same parse. Text past what the pipeline
/// parses (<see cref="MarkdownRenderer.MaxLength"/>) is refused, as the editor's preview may be sent anything.
/// </summary>
public sealed class WikiRenderer(MarkdownRenderer renderer, IEnumerable<IMarkdownEnricher> enrichers)
{
    public async Task<Result<WikiRendered>> RenderAsync(string markdown, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        if (markdown.Length > MarkdownRenderer.MaxLength)
        {
            return Refusal.TooLarge($"The text is longer than {MarkdownRenderer.MaxLength:N0} characters.", "Too long to preview");
        }
        var document = renderer.Parse(markdown);
        foreach (var enricher in enrichers)
        {
            await enricher.EnrichAsync([document], ct);
        }
        var toc = document.Descendants<HeadingBlock>()
            .Where(h => h.Level <= 3 && h.TryGetAttributes()?.Id is { Length: > 0 })
            .Select(h => new WikiTocEntry(h.Level, h.TryGetAttributes()!.Id!, Text(h.Inline)))
            .ToList();
        return new WikiRendered(renderer.ToSafeHtml(document), toc);
    }

    private static string Text(ContainerInline? inline) =>
        inline is null ? "" : string.Concat(inline.Descendants<LeafInline>().Select(l => l switch
        {
            LiteralInline literal => literal.Content.ToString(),
            CodeInline code => code.Content,
            WikiLinkInline link => link.Label,
            TicketReferenceInline ticket => ticket.Key,
            _ => "",
        }));
}
