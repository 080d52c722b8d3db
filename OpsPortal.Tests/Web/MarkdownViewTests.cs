using Bunit;
using Markdig.Syntax;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Markdown;
using OpsPortal.Web.Components.Shared;
using Xunit;

namespace OpsPortal.Tests.Web;

public class MarkdownViewTests
{
    [Fact]
    public async Task Renders_sanitised_markdown_with_enrichers_applied_and_rerenders_on_new_text()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddMarkdown();
        ctx.Services.AddSingleton<IMarkdownEnricher, KnownTicket>();

        var view = ctx.Render<MarkdownView>(p => p.Add(v => v.Text, "**OPS-1** <script>x()</script>"));

        Assert.NotNull(view.Find("strong a.ticket-ref[href='/tickets/OPS-1']"));
        Assert.Empty(view.FindAll("script"));

        view.Render(p => p.Add(v => v.Text, "# Changed"));

        Assert.Equal("Changed", view.Find("h1").TextContent);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 40)]
    public void ManyBlocksInOneRender_WithThePagesBatch_EnrichedInOneLookup(bool batched, int lookups)
    {
        using var ctx = new BunitContext();
        ctx.Services.AddMarkdown();
        var enricher = new KnownTicket();
        ctx.Services.AddSingleton<IMarkdownEnricher>(enricher);
        var batch = batched ? new MarkdownBatch(ctx.Services.GetRequiredService<MarkdownService>()) : null;

        // A timeline of 40 notes, as the incident page draws it under the layout's cascading batch.
        var page = ctx.Render<CascadingValue<MarkdownBatch?>>(p => p
            .Add(c => c.Value, batch)
            .Add(c => c.IsFixed, true)
            .AddChildContent(b =>
            {
                for (var i = 0; i < 40; i++)
                {
                    b.OpenComponent<MarkdownView>(0);
                    b.AddAttribute(1, nameof(MarkdownView.Text), $"Note {i}: see **OPS-{i + 1}**");
                    b.CloseComponent();
                }
            }));

        page.WaitForAssertion(() => Assert.Equal(40, page.FindAll("strong a.ticket-ref").Count));
        Assert.Equal(lookups, enricher.Calls);
        Assert.Equal(40, enricher.Documents);
        Assert.Equal("/tickets/OPS-17", page.FindAll("a.ticket-ref")[16].GetAttribute("href"));
    }

    private sealed class KnownTicket : IMarkdownEnricher
    {
        public int Calls { get; private set; }
        public int Documents { get; private set; }

        public Task EnrichAsync(IReadOnlyList<MarkdownDocument> documents, CancellationToken cancellationToken)
        {
            Calls++;
            Documents += documents.Count;
            foreach (var inline in documents.SelectMany(d => d.Descendants<TicketReferenceInline>()))
            {
                inline.Ticket = new TicketReference(inline.Key, "A ticket", "Open");
            }
            return Task.CompletedTask;
        }
    }
}
