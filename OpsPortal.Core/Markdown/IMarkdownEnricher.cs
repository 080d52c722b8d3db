using Markdig.Syntax;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// Fills parsed markdown with facts from the database before it is rendered (which ticket keys
/// exist, which wiki pages exist). A feature registers one in DI; <see cref="MarkdownService"/> runs
/// them all, each with one query for all the documents it is given (a page's markdown blocks at once).
/// </summary>
public interface IMarkdownEnricher
{
    Task EnrichAsync(IReadOnlyList<MarkdownDocument> documents, CancellationToken cancellationToken);
}
