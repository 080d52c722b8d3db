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
public sealed partial class EventListener(
    NpgsqlDataSource dataSource,
    IDbContextFactory<OpsDbContext> dbFactory,
    EventNotifier notifier,
    ILogger<EventListener> logger) : BackgroundService
{
    public const string Channel = "ops_events";

    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests and start-up checks wait on it).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(ex, backoff.TotalSeconds);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var pending = new List<long>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        conn.Notification += (_, e) => pending.AddRange(ParseIds(e.Payload));
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }
        _listening.TrySetResult();

        while (!ct.IsCancellationRequested)
        {
            if (!await conn.WaitAsync(IdleCheck, ct))
            {
                // A silent TCP drop would leave WaitAsync hanging forever; a round trip proves the link.
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(ct);
                continue;
            }
            if (pending.Count == 0)
            {
                continue;
            }
            var ids = pending.ToArray();
            pending.Clear();
            await PublishAsync(ids, ct);
        }
    }

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

    [LoggerMessage(LogLevel.Warning, "Listening for events failed; retrying in {Seconds} s")]
    private partial void LogListenFailed(Exception ex, double seconds);
}
