using Markdig.Syntax;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Tickets;

/// <summary>Tells the markdown pipeline which <c>OPS-123</c> references are real tickets: one query per batch of documents.</summary>
internal sealed class TicketReferenceEnricher(IDbContextFactory<OpsDbContext> dbFactory) : IMarkdownEnricher
{
    public async Task EnrichAsync(IReadOnlyList<MarkdownDocument> documents, CancellationToken cancellationToken)
    {
        var references = documents.SelectMany(d => d.Descendants<TicketReferenceInline>()).ToList();
        if (references.Count == 0)
        {
            return;
        }
        var keys = references.Select(r => r.Key).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Set<Ticket>().AsNoTracking().Where(t => keys.Contains(t.Key))
            .Select(t => new { t.Key, t.Title, t.Status }).ToDictionaryAsync(t => t.Key, cancellationToken);
        foreach (var reference in references)
        {
            if (found.TryGetValue(reference.Key, out var t))
            {
                reference.Ticket = new TicketReference(t.Key, t.Title, TicketWorkflow.Label(t.Status));
            }
        }
    }
}
