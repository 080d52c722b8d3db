using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>
/// How far behind the primary the log-read pool's server is: null when it is the primary itself (no
/// replica configured), zero when a replica has replayed everything it received. Read at most every
/// few seconds, however many pages ask.
/// </summary>
public sealed class ReadReplica([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource logReads, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    private (DateTimeOffset At, TimeSpan? Lag)? _last;

    /// <summary>Lag past which the Logs page says so.</summary>
    public static readonly TimeSpan Noticeable = TimeSpan.FromSeconds(1);

    public async Task<TimeSpan?> LagAsync(CancellationToken ct = default)
    {
        if (_last is { } last && clock.GetUtcNow() - last.At < CacheFor)
        {
            return last.Lag;
        }
        // A replica that has replayed all it received is current whatever its last transaction's age
        // (the primary may simply be idle).
        await using var cmd = logReads.CreateCommand("""
            SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::float8 END
            """);
        var seconds = await cmd.ExecuteScalarAsync(ct);
        TimeSpan? lag = seconds is double s ? TimeSpan.FromSeconds(s) : null;
        _last = (clock.GetUtcNow(), lag);
        return lag;
    }
}
