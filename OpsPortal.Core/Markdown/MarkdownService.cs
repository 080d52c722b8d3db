namespace OpsPortal.Core.Markdown;

/// <summary>Markdown to safe HTML, with every registered <see cref="IMarkdownEnricher"/> applied.</summary>
public sealed class MarkdownService(MarkdownRenderer renderer, IEnumerable<IMarkdownEnricher> enrichers)
{
    public async Task<string> RenderAsync(string markdown, CancellationToken cancellationToken = default)
    {
        var document = renderer.Parse(markdown);
        foreach (var enricher in enrichers)
        {
            await enricher.EnrichAsync(document, cancellationToken);
        }
        return renderer.ToSafeHtml(document);
    }
}
