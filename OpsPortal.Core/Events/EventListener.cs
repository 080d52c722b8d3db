using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Events;

/// <summary>
/// LISTENs on the events channel with one dedicated connection per app process, loads each
/// notified event and hands it to the <see cref="EventNotifier"/>. This is what makes several app
/// processes on one database behave as one.
/// </summary>
public sealed class EventListener(
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    IDbContextFactory<OpsDbContext> dbFactory,
    EventNotifier notifier,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<EventListener> logger) : ListenLoop(direct, health, clock, logger)
{
    public const string Channel = "ops_events";
    public const string Loop = "events.listener";

    protected override string LoopName => Loop;

    protected override string ListenChannel => Channel;

    // Most events missed while reconnecting that a catch-up publishes; the rest are history, not news.
    private const int CatchUpLimit = 500;
    private const int Remembered = 10_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<long> _published = [];
    private readonly Queue<long> _publishedOrder = new();
    private long _newest;

    protected override Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct) =>
        PublishAsync(payloads.SelectMany(ParseIds).ToArray(), ct);

    /// <summary>
    /// Notices sent while the LISTEN connection was down (the database away, the seconds until the
    /// loop reconnected) never arrive: after a reconnect, events newer than the newest one published
    /// are read and published, each at most once.
    /// </summary>
    protected override void OnListening(CancellationToken stoppingToken)
    {
        if (Interlocked.Read(ref _newest) > 0)
        {
            _ = CatchUpAsync(stoppingToken);
        }
    }

    private async Task CatchUpAsync(CancellationToken ct)
    {
        try
        {
            await PublishAsync(null, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next reconnect tries again; live notices flow meanwhile.
            MarkFailed(ex);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <param name="ids">The notified events, or null for every event after the newest published (a catch-up).</param>
    private async Task PublishAsync(long[]? ids, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var newest = Interlocked.Read(ref _newest);
            var query = ids is null
                ? db.Events.AsNoTracking().Where(e => e.Id > newest).OrderBy(e => e.Id).Take(CatchUpLimit)
                : db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).OrderBy(e => e.Id);
            foreach (var ev in await query.ToListAsync(ct))
            {
                if (Remember(ev.Id))
                {
                    await notifier.PublishAsync(ev);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>False when <paramref name="id"/> was published already (a notice and a catch-up both saw it).</summary>
    private bool Remember(long id)
    {
        if (!_published.Add(id))
        {
            return false;
        }
        _publishedOrder.Enqueue(id);
        if (_publishedOrder.Count > Remembered)
        {
            _published.Remove(_publishedOrder.Dequeue());
        }
        if (id > Interlocked.Read(ref _newest))
        {
            Interlocked.Exchange(ref _newest, id);
        }
        return true;
    }

    internal static IEnumerable<long> ParseIds(string payload) =>
        payload.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.TryParse(s, out var id) ? id : 0)
            .Where(id => id > 0);
}
