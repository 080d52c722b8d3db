using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>
/// One dedicated LISTEN connection, kept alive: reconnects with back-off, pings when idle (a silent
/// TCP drop would otherwise leave it waiting forever) and hands the payloads that arrived together
/// to one callback. The events spine and live tail both run on it.
/// </summary>
public static partial class PostgresListener
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);
    // Zero would mean "wait forever" to some Npgsql versions; one millisecond only collects what has arrived.
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(1);

    /// <summary>Runs until <paramref name="ct"/> is cancelled; <paramref name="listening"/> completes at the first LISTEN.</summary>
    public static async Task RunAsync(NpgsqlDataSource dataSource, string channel, Func<IReadOnlyList<string>, CancellationToken, Task> onPayloads,
        TaskCompletionSource listening, ILogger logger, CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(dataSource, channel, onPayloads, listening, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(logger, ex, channel, backoff.TotalSeconds);
                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, 30));
            }
        }
    }

    private static async Task ListenAsync(NpgsqlDataSource dataSource, string channel,
        Func<IReadOnlyList<string>, CancellationToken, Task> onPayloads, TaskCompletionSource listening, CancellationToken ct)
    {
        var pending = new List<string>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        conn.Notification += (_, e) => pending.Add(e.Payload);
#pragma warning disable CA2100 // The channel is a constant of the caller, never input (LISTEN takes no parameters).
        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", conn))
#pragma warning restore CA2100
        {
            await listen.ExecuteNonQueryAsync(ct);
        }
        listening.TrySetResult();

        while (!ct.IsCancellationRequested)
        {
            if (!await conn.WaitAsync(IdleCheck, ct))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(ct);
                continue;
            }
            // Notifications that arrived while the previous callback ran are handled together: under
            // load the consumer falls behind by one round at most, never by a queue of them.
            for (var drained = 0; drained < 1_000 && await conn.WaitAsync(Drain, ct); drained++)
            {
            }
            if (pending.Count == 0)
            {
                continue;
            }
            var payloads = pending.ToArray();
            pending.Clear();
            await onPayloads(payloads, ct);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Listening on {Channel} failed; retrying in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, Exception ex, string channel, double seconds);
}
