using OpsPortal.Core.Markdown;

namespace OpsPortal.Web.Components.Shared;

/// <summary>
/// Renders the markdown blocks that a page's render pass asks for together: every <see cref="MarkdownView"/>
/// created in one pass (a timeline's 40 notes) joins one <see cref="MarkdownService.RenderManyAsync"/>, so
/// the enrichers look up ticket keys and wiki titles once for the page instead of once per block. The layout
/// cascades one per circuit; a view without it renders alone.
/// </summary>
public sealed class MarkdownBatch(MarkdownService markdown)
{
    private readonly Lock _gate = new();
    private List<(string Text, TaskCompletionSource<string> Html)>? _pending;

    public Task<string> RenderAsync(string text)
    {
        var html = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool first;
        lock (_gate)
        {
            first = _pending is null;
            (_pending ??= []).Add((text, html));
        }
        if (first)
        {
            _ = FlushAsync();
        }
        return html.Task;
    }

    private async Task FlushAsync()
    {
        // Yielding to the renderer lets the rest of this render pass (the sibling views) ask first.
        await Task.Yield();
        List<(string Text, TaskCompletionSource<string> Html)> batch;
        lock (_gate)
        {
            batch = _pending!;
            _pending = null;
        }
        try
        {
            var rendered = await markdown.RenderManyAsync(batch.Select(b => b.Text).ToList());
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Html.SetResult(rendered[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var (_, html) in batch)
            {
                html.SetException(ex);
            }
        }
    }
}
