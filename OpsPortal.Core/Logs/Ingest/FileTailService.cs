using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// Runs a <see cref="FileTailer"/> for every enabled file source and follows changes to the source
/// list. Several app nodes may share the database: a node tails a source only while it holds that
/// source's PostgreSQL session advisory lock, on a connection of its own; the others skip the source
/// and try again at each reload, so one of them takes over when the holder stops.
/// </summary>
/// <remarks>
/// Session locks need a session: the lock connections come from the direct pool
/// (<see cref="OpsDataSources.Direct"/>), which bypasses pgbouncer, as LISTEN does.
/// </remarks>
internal sealed partial class FileTailService(IServiceProvider services, LogSourceService sources,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource dataSource,
    IOptions<LogsOptions> options, BackgroundHealth health, TimeProvider clock, ILogger<FileTailService> logger)
    : BackgroundLoop(health, clock, logger)
{
    public const string Loop = "logs.file-tail";

    /// <summary>First key of the two-key advisory locks (the second is the source id), apart from other locks in the database.</summary>
    public const int LockClass = 0x4F50_5441; // "OPTA"

    private readonly TimeSpan _interval = options.Value.SourceReloadInterval;
    private readonly Dictionary<int, Tail> _tails = [];

    protected override string LoopName => Loop;

    protected override async Task RunAsync(CancellationToken stoppingToken)
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
                    MarkHealthy();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogReloadFailed(Logger, ex, _interval.TotalSeconds);
                    MarkFailed(ex);
                }
                await Task.Delay(_interval, Clock, stoppingToken);
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
                    LogTailing(Logger, source.Name);
                    await TailHoldingLockAsync(conn, source, ct);
                }
                else if (!heldElsewhere)
                {
                    LogHeldElsewhere(Logger, source.Name, _interval.TotalSeconds);
                    heldElsewhere = true;
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogTailStopped(Logger, ex, source.Name, _interval.TotalSeconds);
                MarkFailed(ex);
            }
            try
            {
                await Task.Delay(_interval, Clock, ct);
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
                await Task.Delay(_interval, Clock, ct);
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
            LogUnlockFailed(Logger, ex, source.Name);
        }
    }

    private sealed record Tail(LogSource Source, CancellationTokenSource Stop, Task Task);

    [LoggerMessage(LogLevel.Warning, "Reading the log sources failed; trying again in {Seconds} s")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex, double seconds);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: this node tails it")]
    private static partial void LogTailing(ILogger logger, string source);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: another node tails it; checking again every {Seconds} s")]
    private static partial void LogHeldElsewhere(ILogger logger, string source, double seconds);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: tailing stopped (its lock's connection failed, or the tail could not start); trying again in {Seconds} s")]
    private static partial void LogTailStopped(ILogger logger, Exception ex, string source, double seconds);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: releasing its lock failed")]
    private static partial void LogUnlockFailed(ILogger logger, Exception ex, string source);
}
