using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    NpgsqlDataSource dataSource,
    IDbContextFactory<OpsDbContext> dbFactory,
    EventNotifier notifier,
    ILogger<EventListener> logger) : BackgroundService
{
    public const string Channel = "ops_events";

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests and start-up checks wait on it).</summary>
    public Task Listening => _listening.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, Channel,
            (payloads, ct) => PublishAsync(payloads.SelectMany(ParseIds).ToArray(), ct), _listening, logger, stoppingToken);

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
