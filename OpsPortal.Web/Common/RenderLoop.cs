using System.Threading.Channels;

namespace OpsPortal.Web.Common;

/// <summary>
/// The one render loop of every live view (live tail, deploy output, event-driven cards). Items are
/// posted from any thread; the loop hands them to the component in batches on the renderer's
/// thread, at most one batch every <c>interval</c>, with one render in flight: the next batch waits
/// until the component reports the previous one rendered (<see cref="Rendered"/>, called from
/// <c>OnAfterRender</c>, which on a server circuit runs once the browser has the render). A client
/// slower than the stream therefore gets fewer, larger batches instead of a queue of renders the
/// server keeps in memory. Past <c>capacity</c> waiting items the oldest are dropped and counted.
/// </summary>
public sealed class RenderLoop<T> : IAsyncDisposable
{
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(5);
    private readonly Channel<T> _channel;
    private readonly Func<Func<Task>, Task> _invoke;
    private readonly Func<IReadOnlyList<T>, int, Task> _apply;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource? _inFlight;
    private int _dropped;

    /// <param name="invoke">The component's <c>InvokeAsync</c>.</param>
    /// <param name="apply">Applies a batch (and the count of items dropped since the last one) and calls <c>StateHasChanged</c>; runs on the renderer's thread.</param>
    /// <param name="dropped">Told each item dropped past <paramref name="capacity"/> (e.g. to count the rows a dropped batch held); any thread.</param>
    public RenderLoop(Func<Func<Task>, Task> invoke, Func<IReadOnlyList<T>, int, Task> apply, TimeProvider clock,
        TimeSpan interval, int capacity = 10_000, Action<T>? dropped = null)
    {
        _invoke = invoke;
        _apply = apply;
        _clock = clock;
        _interval = interval;
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            item =>
            {
                Interlocked.Increment(ref _dropped);
                dropped?.Invoke(item);
            });
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Queues an item for the next batch; false once the loop is disposed.</summary>
    public bool Post(T item) => _channel.Writer.TryWrite(item);

    /// <summary>Call from <c>OnAfterRender</c>: the batch in flight has reached the browser.</summary>
    public void Rendered() => Volatile.Read(ref _inFlight)?.TrySetResult();

    private async Task RunAsync(CancellationToken ct)
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                var batch = new List<T>();
                while (reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                var dropped = Interlocked.Exchange(ref _dropped, 0);
                var rendered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _inFlight, rendered);
                await _invoke(() => _apply(batch, dropped));
                await WaitRenderedAsync(rendered.Task, ct);
                await Task.Delay(_interval, _clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away between two batches.
        }
    }

    private async Task WaitRenderedAsync(Task rendered, CancellationToken ct)
    {
        try
        {
            await rendered.WaitAsync(RenderTimeout, _clock, ct);
        }
        catch (TimeoutException)
        {
            // A batch that changed nothing renders nothing, so OnAfterRender never comes: move on.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
