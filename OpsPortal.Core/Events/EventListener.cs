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

    protected override Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct) =>
        PublishAsync(payloads.SelectMany(ParseIds).ToArray(), ct);

    private async Task PublishAsync(long[] ids, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = await db.Events.AsNoTracking()
            .Where(e => ids.Contains(e.Id))
            .OrderBy(e => e.Id)
            .ToListAsync(ct);
        foreach (var ev in events)
        {
            await notifier.PublishAsync(ev);
        }
    }

    internal static IEnumerable<long> ParseIds(string payload) =>
        payload.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.TryParse(s, out var id) ? id : 0)
            .Where(id => id > 0);
}
