using Markdig;
using Markdig.Renderers;

namespace OpsPortal.Core.Markdown;

internal sealed class TicketReferenceExtension : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
        if (!pipeline.InlineParsers.Contains<TicketReferenceParser>())
        {
            // Before the auto-link parser so a key never turns into half of something else.
            pipeline.InlineParsers.Insert(0, new TicketReferenceParser());
        }
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is HtmlRenderer html && !html.ObjectRenderers.Contains<TicketReferenceRenderer>())
        {
            html.ObjectRenderers.Insert(0, new TicketReferenceRenderer());
        }
    }
}
