using Microsoft.AspNetCore.Components;
using OpsPortal.Core.Events;

namespace OpsPortal.Web.Common;

/// <summary>
/// The base of every page or card that loads data and stays live. Two things, one way each:
/// <list type="bullet">
/// <item><see cref="BeginLoad"/>: the token for one load; the next load and disposal cancel it, so a
/// page left or re-queried stops its queries. <see cref="RunLoadAsync"/> runs a load with it and lets
/// an overtaken load end quietly.</item>
/// <item><see cref="ReloadOn"/>: reload when a matching event reaches this node (from any node, via the
/// events spine); a burst of events is one reload, through the shared <see cref="RenderLoop{T}"/>.</item>
/// </list>
/// The subscription starts with the first <see cref="ReloadOn"/> of an interactive component, before its
/// first load, so an event committed while that load reads is never lost (it reloads once more);
/// prerendering subscribes nothing.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IAsyncDisposable
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromMilliseconds(250);
    // Copied on write: the event callback reads it from another thread.
    private volatile (Func<OpsEvent, bool> When, Func<IReadOnlyList<OpsEvent>, CancellationToken, Task> Reload)[] _reloads = [];
    private readonly CancellationTokenSource _disposed = new();
    private CancellationTokenSource? _load;
    private IDisposable? _subscription;
    private RenderLoop<OpsEvent>? _loop;

    [Inject] private EventNotifier Notifier { get; set; } = default!;

    [Inject] protected TimeProvider Clock { get; set; } = default!;

    /// <summary>True when this component listens for events (interactive, with at least one <see cref="ReloadOn"/>).</summary>
    protected bool IsLive => _subscription is not null;

    /// <summary>Set when the last live reload failed for a database fault; show it near the data.</summary>
    protected string? LiveError { get; private set; }

    /// <summary>Cancels the previous load and returns the token of a new one.</summary>
    protected CancellationToken BeginLoad()
    {
        var next = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var previous = Interlocked.Exchange(ref _load, next);
        previous?.Cancel();
        previous?.Dispose();
        return next.Token;
    }

    /// <summary>
    /// Runs <paramref name="load"/> with the token of a new load (<see cref="BeginLoad"/>). A load the
    /// next one or disposal overtook ends quietly, whatever it threw on its way out (a cancelled
    /// Npgsql call may throw with a token of its own), so an impatient click never ends the circuit.
    /// </summary>
    protected async Task RunLoadAsync(Func<CancellationToken, Task> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var ct = BeginLoad();
        try
        {
            await load(ct);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Registers a reload for events that match; call from <c>OnInitialized</c>. The reload runs as a
    /// new load (<see cref="BeginLoad"/>): it cancels a load still running, such as the page's first,
    /// so it must load everything the page shows (usually it is the page's own load method).
    /// </summary>
    protected void ReloadOn(Func<OpsEvent, bool> when, Func<CancellationToken, Task> reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        ReloadOn(when, (_, ct) => reload(ct));
    }

    /// <summary>As <see cref="ReloadOn(Func{OpsEvent, bool}, Func{CancellationToken, Task})"/>, handing the reload the matching events of the burst (oldest first; empty when some were dropped).</summary>
    protected void ReloadOn(Func<OpsEvent, bool> when, Func<IReadOnlyList<OpsEvent>, CancellationToken, Task> reload)
    {
        _reloads = [.. _reloads, (when, reload)];
        if (_subscription is null && RendererInfo.IsInteractive)
        {
            var loop = new RenderLoop<OpsEvent>(InvokeAsync, ApplyAsync, Clock, ReloadInterval, capacity: 1_000);
            _loop = loop;
            _subscription = Notifier.Subscribe(ev =>
            {
                if (_reloads.Any(r => r.When(ev)))
                {
                    loop.Post(ev);
                }
                return Task.CompletedTask;
            });
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        _loop?.Rendered();
    }

    private async Task ApplyAsync(IReadOnlyList<OpsEvent> events, int dropped)
    {
        var ct = BeginLoad();
        try
        {
            foreach (var (when, reload) in _reloads)
            {
                var matching = events.Where(when).ToList();
                if (dropped > 0 || matching.Count > 0)
                {
                    await reload(matching, ct);
                }
            }
            StateHasChanged();
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Overtaken by the next load, or the page was left.
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException)
        {
            // The database is away: keep what is shown, say so, and reload at the next event.
            LiveError = "Not refreshed: the database does not answer. What you see may be out of date.";
            StateHasChanged();
            return;
        }
        LiveError = null;
    }

    public virtual async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _disposed.CancelAsync();
        if (_loop is not null)
        {
            await _loop.DisposeAsync();
        }
        _load?.Dispose();
        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }
}
