using Markdig;
using Markdig.Parsers.Inlines;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// The wiki's additions to the shared pipeline: <c>[[links]]</c> and syntax highlighting of fenced
/// code. Registered as an <see cref="IMarkdownExtension"/>, so tickets and incidents get them too.
/// </summary>
internal sealed class WikiMarkdownExtension : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
        if (!pipeline.InlineParsers.Contains<WikiLinkInlineParser>())
        {
            pipeline.InlineParsers.InsertBefore<LinkInlineParser>(new WikiLinkInlineParser());
        }
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is not HtmlRenderer html)
        {
            return;
        }
        if (!html.ObjectRenderers.Contains<WikiLinkRenderer>())
        {
            html.ObjectRenderers.Insert(0, new WikiLinkRenderer());
        }
        if (html.ObjectRenderers.Find<CodeBlockRenderer>() is { } plain && plain is not HighlightingCodeBlockRenderer)
        {
            html.ObjectRenderers.Replace<CodeBlockRenderer>(new HighlightingCodeBlockRenderer(plain));
        }
    }
}

/// <summary>Fenced code in a language <see cref="CodeHighlighter"/> knows gets token spans; anything else renders as before.</summary>
internal sealed class HighlightingCodeBlockRenderer(CodeBlockRenderer plain) : CodeBlockRenderer
{
    protected override void Write(HtmlRenderer renderer, CodeBlock block)
    {
        if (block is not FencedCodeBlock { Info: { Length: > 0 } info } fenced || !CodeHighlighter.Knows(info))
        {
            ((Markdig.Renderers.IMarkdownObjectRenderer)plain).Write(renderer, block);
            return;
        }
        renderer.EnsureLine();
        renderer.Write("<pre><code class=\"language-").WriteEscape(info).Write(" highlighted\">");
        var lines = fenced.Lines;
        var code = string.Join('\n', Enumerable.Range(0, lines.Count).Select(i => lines.Lines[i].Slice.ToString()));
        renderer.Write(CodeHighlighter.ToHtml(code, info));
        renderer.WriteLine("\n</code></pre>");
    }
}

/// <summary>Tells every <c>[[link]]</c> in a document whether its page exists (by address or title) and where it is, with one query.</summary>
internal sealed class WikiLinkEnricher(WikiService wiki) : IMarkdownEnricher
{
    public async Task EnrichAsync(IReadOnlyList<MarkdownDocument> documents, CancellationToken cancellationToken)
    {
        var links = documents.SelectMany(d => d.Descendants<WikiLinkInline>()).ToList();
        if (links.Count == 0)
        {
            return;
        }
        var resolved = await wiki.ResolveLinksAsync(links.Select(l => l.Name).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        foreach (var link in links)
        {
            link.Exists = resolved.TryGetValue(link.Name, out var slug);
            if (slug is not null)
            {
                link.Target = slug;
            }
        }
    }
}
