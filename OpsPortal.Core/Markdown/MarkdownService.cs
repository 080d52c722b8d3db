namespace OpsPortal.Core.Markdown;

/// <summary>Markdown to safe HTML, with every registered <see cref="IMarkdownEnricher"/> applied.</summary>
public sealed class MarkdownService(MarkdownRenderer renderer, IEnumerable<IMarkdownEnricher> enrichers)
{
    public async Task<string> RenderAsync(string markdown, CancellationToken cancellationToken = default) =>
        (await RenderManyAsync([markdown], cancellationToken))[0];

    /// <summary>
    /// Several texts at once, in order: each enricher runs once over all of them (one ticket lookup and one
    /// wiki lookup for a page's 40 timeline notes, not 80).
    /// </summary>
    public async Task<IReadOnlyList<string>> RenderManyAsync(IReadOnlyList<string> markdown, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var documents = markdown.Select(renderer.Parse).ToList();
        foreach (var enricher in enrichers)
        {
            await enricher.EnrichAsync(documents, cancellationToken);
        }
        return documents.Select(renderer.ToSafeHtml).ToList();
    }
}
