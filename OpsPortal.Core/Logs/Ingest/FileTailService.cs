using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// Runs a <see cref="FileTailer"/> for every enabled file source and follows changes to the source
/// list. Several app nodes may share the database: a node tails a source only while it holds that
/// source's PostgreSQL session advisory lock, on a connection of its own; the others skip the source
/// and try again at each reload, so one of them takes over when the holder stops.
/// </summary>
/// <remarks>
/// Session locks need a session: behind pgbouncer in transaction mode this connection must go to
/// PostgreSQL directly, as LISTEN does.
/// </remarks>
public sealed partial class FileTailService(IServiceProvider services, LogSourceService sources, NpgsqlDataSource dataSource,
    IOptions<LogsOptions> options, TimeProvider clock, ILogger<FileTailService> logger) : BackgroundService
{
    /// <summary>First key of the two-key advisory locks (the second is the source id), apart from other locks in the database.</summary>
    public const int LockClass = 0x4F50_5441; // "OPTA"

    private readonly TimeSpan _interval = options.Value.SourceReloadInterval;
    private readonly Dictionary<int, Tail> _tails = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunIngestion)
        {
            return;
        }
        try
        {
            while (true)
            {
                try
                {
                    await ReconcileAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogReloadFailed(ex, _interval.TotalSeconds);
                }
                await Task.Delay(_interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_tails.Values.Select(StopAsync));
            _tails.Clear();
        }
    }

    /// <summary>Starts tails for new sources, stops them for removed or disabled ones, restarts changed ones.</summary>
    private async Task ReconcileAsync(CancellationToken ct)
    {
        var wanted = (await sources.ListAsync(ct))
            .Where(s => s is { Kind: LogSourceKind.File, Enabled: true, Path: not null })
            .ToDictionary(s => s.Id);
        foreach (var (id, tail) in _tails.ToList())
        {
            if (!wanted.TryGetValue(id, out var now) || !ReadsTheSame(tail.Source, now))
            {
                await StopAsync(tail);
                _tails.Remove(id);
            }
        }
        foreach (var source in wanted.Values.Where(s => !_tails.ContainsKey(s.Id)))
        {
            var stop = new CancellationTokenSource();
            _tails[source.Id] = new Tail(source, stop, Task.Run(() => TailWhileLockedAsync(source, stop.Token), CancellationToken.None));
        }
    }

    private static bool ReadsTheSame(LogSource a, LogSource b) =>
        a.Path == b.Path && a.Format == b.Format && a.HostLabel == b.HostLabel && a.Name == b.Name;

    private static async Task StopAsync(Tail tail)
    {
        await tail.Stop.CancelAsync();
        await tail.Task;
        tail.Stop.Dispose();
    }

    /// <summary>Until stopped: takes the source's lock whenever it is free and tails while holding it.</summary>
    private async Task TailWhileLockedAsync(LogSource source, CancellationToken ct)
    {
        var heldElsewhere = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(ct);
                if (await TryLockAsync(conn, source.Id, ct))
                {
                    heldElsewhere = false;
                    LogTailing(source.Name);
                    await TailHoldingLockAsync(conn, source, ct);
                }
                else if (!heldElsewhere)
                {
                    LogHeldElsewhere(source.Name, _interval.TotalSeconds);
                    heldElsewhere = true;
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogTailStopped(ex, source.Name, _interval.TotalSeconds);
            }
            try
            {
                await Task.Delay(_interval, clock, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task TailHoldingLockAsync(NpgsqlConnection conn, LogSource source, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tail = Task.CompletedTask;
        try
        {
            tail = ActivatorUtilities.CreateInstance<FileTailer>(services, source).RunAsync(stop.Token);
            // The lock lasts as long as this session: when it is gone another node may take the source
            // over, so stop at the first failed check (AccessWriter's cursor check covers the gap).
            while (true)
            {
                await Task.Delay(_interval, clock, ct);
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await tail;
            await UnlockAsync(conn, source);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection conn, int sourceId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = LockClass });
        cmd.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Explicitly, because a pooled connection keeps its session (and lock) while it idles in the
    /// pool. If the session is broken, so is the lock, and there is nothing to release.
    /// </summary>
    private async Task UnlockAsync(NpgsqlConnection conn, LogSource source)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = LockClass });
            cmd.Parameters.Add(new NpgsqlParameter { Value = source.Id });
            await cmd.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            LogUnlockFailed(ex, source.Name);
        }
    }

    private sealed record Tail(LogSource Source, CancellationTokenSource Stop, Task Task);

    [LoggerMessage(LogLevel.Warning, "Reading the log sources failed; trying again in {Seconds} s")]
    private partial void LogReloadFailed(Exception ex, double seconds);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: this node tails it")]
    private partial void LogTailing(string source);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: another node tails it; checking again every {Seconds} s")]
    private partial void LogHeldElsewhere(string source, double seconds);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: tailing stopped (its lock's connection failed, or the tail could not start); trying again in {Seconds} s")]
    private partial void LogTailStopped(Exception ex, string source, double seconds);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: releasing its lock failed")]
    private partial void LogUnlockFailed(Exception ex, string source);
}
