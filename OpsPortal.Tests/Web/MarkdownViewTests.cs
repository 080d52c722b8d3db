using Bunit;
using Markdig.Syntax;
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

    private sealed class KnownTicket : IMarkdownEnricher
    {
        public Task EnrichAsync(MarkdownDocument document, CancellationToken cancellationToken)
        {
            foreach (var inline in document.Descendants<TicketReferenceInline>())
            {
                inline.Ticket = new TicketReference(inline.Key, "A ticket", "Open");
            }
            return Task.CompletedTask;
        }
    }
}
