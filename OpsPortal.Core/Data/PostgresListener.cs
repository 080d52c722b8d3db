using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>
/// One dedicated LISTEN connection, kept alive: reconnects with back-off, pings when idle (a silent
/// TCP drop would otherwise leave it waiting forever) and hands the payloads that arrived together
/// to one callback. The events spine and live tail both run on it.
/// </summary>
internal static partial class PostgresListener
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    /// <summary>At most this many payloads go to one callback; the rest wait for the next one, none is dropped.</summary>
    internal const int MaxPayloadsPerRound = 1_000;

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled, reconnecting after every failure (1 s, doubling to
    /// 10 s). <paramref name="onListening"/> runs at each successful LISTEN, <paramref name="onFailed"/>
    /// at each failure (for <see cref="BackgroundHealth"/>); neither may throw.
    /// </summary>
    public static async Task RunAsync(NpgsqlDataSource dataSource, string channel, Func<IReadOnlyList<string>, CancellationToken, Task> onPayloads,
        Action onListening, Action<Exception> onFailed, ILogger logger, CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            var started = Environment.TickCount64;
            try
            {
                await ListenAsync(dataSource, channel, onPayloads, onListening, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A connection that served a good while reconnects at once; one failing at once backs off.
                if (Environment.TickCount64 - started > 10_000)
                {
                    backoff = TimeSpan.FromSeconds(1);
                }
                onFailed(ex);
                LogListenFailed(logger, ex, channel, backoff.TotalSeconds);
                try
                {
                    await Task.Delay(backoff, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromSeconds(Math.Min(backoff.TotalSeconds * 2, BackgroundLoop.MaxBackOff.TotalSeconds));
            }
        }
    }

    /// <summary>
    /// Reading notifications and handling them run side by side: the connection keeps reading while a
    /// callback runs, and the next callback gets everything that arrived meanwhile. (Collecting a round
    /// by waiting with a short timeout instead costs a timeout per wake-up, and Npgsql reports each one
    /// as an exception it throws and catches: thousands a minute under a steady stream of batches.)
    /// </summary>
    private static async Task ListenAsync(NpgsqlDataSource dataSource, string channel,
        Func<IReadOnlyList<string>, CancellationToken, Task> onPayloads, Action onListening, CancellationToken ct)
    {
        var inbox = new PayloadInbox(MaxPayloadsPerRound);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        conn.Notification += (_, e) => inbox.Add(e.Payload);
#pragma warning disable CA2100 // The channel is a constant of the caller, never input (LISTEN takes no parameters).
        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", conn))
#pragma warning restore CA2100
        {
            await listen.ExecuteNonQueryAsync(ct);
        }
        onListening();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = ReadAsync(conn, stop.Token);
        var handling = HandleAsync(inbox, onPayloads, stop.Token);
        // Neither ends before ct is cancelled unless it fails; then the other stops too and the caller reconnects.
        var first = await Task.WhenAny(reading, handling);
        await stop.CancelAsync();
        await (first == reading ? handling : reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await first;
    }

    private static async Task ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Notifications are raised (into the inbox) during the wait.
            if (!await conn.WaitAsync(IdleCheck, ct))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(ct);
            }
        }
    }

    private static async Task HandleAsync(PayloadInbox inbox, Func<IReadOnlyList<string>, CancellationToken, Task> onPayloads, CancellationToken ct)
    {
        while (true)
        {
            await onPayloads(await inbox.TakeAsync(ct), ct);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Listening on {Channel} failed; retrying in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, Exception ex, string channel, double seconds);

    /// <summary>
    /// Payloads received and not yet handled. It holds what arrives during one callback: under load the
    /// handler falls behind by one round at most, never by a queue of rounds.
    /// </summary>
    internal sealed class PayloadInbox(int maxPerTake)
    {
        private readonly Channel<string> _pending = Channel.CreateUnbounded<string>();

        public int Count => _pending.Reader.Count;

        public void Add(string payload) => _pending.Writer.TryWrite(payload);

        /// <summary>Waits for at least one payload, then returns those pending, oldest first (up to the limit).</summary>
        public async Task<IReadOnlyList<string>> TakeAsync(CancellationToken ct)
        {
            var taken = new List<string>();
            while (taken.Count == 0)
            {
                await _pending.Reader.WaitToReadAsync(ct);
                while (taken.Count < maxPerTake && _pending.Reader.TryRead(out var payload))
                {
                    taken.Add(payload);
                }
            }
            return taken;
        }
    }
}
