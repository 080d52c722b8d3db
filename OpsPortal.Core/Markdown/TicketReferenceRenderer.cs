using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax.Inlines;

namespace OpsPortal.Core.Markdown;

/// <summary>A known ticket becomes a link with its title and status on hover; anything else stays text.</summary>
internal sealed class TicketReferenceRenderer : HtmlObjectRenderer<TicketReferenceInline>
{
    protected override void Write(HtmlRenderer renderer, TicketReferenceInline inline)
    {
        if (inline.Ticket is not { } ticket || IsInsideLink(inline))
        {
            renderer.WriteEscape(inline.Key);
            return;
        }
        renderer.Write("<a class=\"ticket-ref\" href=\"/tickets/")
            .WriteEscapeUrl(ticket.Key)
            .Write("\" title=\"")
            .WriteEscape($"{ticket.Title} ({ticket.Status})")
            .Write("\" data-status=\"")
            .WriteEscape(ticket.Status)
            .Write("\">")
            .WriteEscape(ticket.Key)
            .Write("</a>");
    }

    private static bool IsInsideLink(Inline inline)
    {
        for (var parent = inline.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is LinkInline)
            {
                return true;
            }
        }
        return false;
    }
}
