using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Metrics.Storage;

namespace OpsPortal.Core.Metrics.Rollups;

/// <summary>
/// Recomputes the per-minute rollups of the minutes flushes marked dirty, from <c>metric_points</c>, and
/// the per-hour rollups of their hours from the minute rollups (ADR-018; the same scheme as the access
/// log's ADR-009). Each round reads the marks and the points in one REPEATABLE READ snapshot, replaces
/// those minutes and hours and deletes exactly the marks it read, in one transaction: a flush committed
/// after the snapshot left a mark this round did not read, so its minute is done again next round, and
/// queries read dirty minutes from the raw points meanwhile. A recompute is idempotent, so a round
/// repeated after a crash or on another node counts nothing twice; an advisory lock keeps two nodes'
/// rounds from overlapping (the second one skips).
/// </summary>
internal sealed class MetricRollupJob([FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const int MinutesPerRound = 120;

    /// <summary>Rolls up every dirty minute before the current one; returns how many it did, or -1 when another node was at it.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('opsportal.metric_rollup'))", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                return -1;
            }
        }
        try
        {
            var cut = MetricWriter.Minute(clock.GetUtcNow().UtcDateTime);
            await EnsurePartitionsAsync(conn, cut, ct);
            var total = 0;
            while (true)
            {
                var done = await RoundAsync(conn, cut, ct);
                total += done;
                if (done < MinutesPerRound)
                {
                    return total;
                }
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('opsportal.metric_rollup'))", conn);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Partitions are created in their own short transactions before a round (CREATE … PARTITION OF locks the parent).</summary>
    private static async Task EnsurePartitionsAsync(NpgsqlConnection conn, DateTime cut, CancellationToken ct)
    {
        foreach (var day in await DirtyMinutes.DaysAsync(conn, MetricTables.Dirty, cut, ct))
        {
            await TimePartitions.EnsureAsync(conn, MetricTables.Minutes, day, ct);
            await TimePartitions.EnsureAsync(conn, MetricTables.Hours, day, ct);
        }
    }

    private static async Task<int> RoundAsync(NpgsqlConnection conn, DateTime cut, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var (ids, minutes) = await DirtyMinutes.ReadAsync(conn, tx, MetricTables.Dirty, cut, MinutesPerRound, ct);
        if (minutes.Length == 0)
        {
            return 0;
        }
        await using (var cmd = new NpgsqlCommand(RecomputeSql, conn, tx))
        {
            cmd.CommandTimeout = 0;
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            cmd.Parameters.Add(new NpgsqlParameter("minutes", NpgsqlDbType.Array | NpgsqlDbType.Timestamp) { Value = minutes });
            cmd.Parameters.Add(new NpgsqlParameter("hours", NpgsqlDbType.Array | NpgsqlDbType.Timestamp) { Value = DirtyMinutes.Hours(minutes) });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return minutes.Length;
    }

    /// <summary>
    /// How rows of one series combine, across nodes and over time (the same everywhere: rollups and queries):
    /// counts, sums add; min/max; the gauge's last value is the one with the latest last_at; sketches merge
    /// bucket by bucket (sketches are merged apart from these columns).
    /// </summary>
    internal const string Combine = """
        sum(count) AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
        (array_agg(last ORDER BY last_at DESC NULLS LAST, last DESC) FILTER (WHERE last IS NOT NULL))[1] AS last,
        max(last_at) AS last_at
        """;

    // Minutes from raw points, then their hours from the minutes (in this transaction, so the new minutes
    // count). Sketch buckets are summed key by key; p50 … p99 come from the merged sketch, clamped to the
    // exact min and max.
    private const string RecomputeSql = $"""
        DELETE FROM metric_rollup_dirty WHERE id = ANY(@ids);
        DELETE FROM metric_rollup_minute WHERE at = ANY(@minutes);
        DELETE FROM metric_rollup_hour WHERE at = ANY(@hours);
        WITH src AS MATERIALIZED (
            SELECT p.series_id, m.s AS at, p.count, p.sum, p.min, p.max, p.last, p.last_at, p.sketch_keys, p.sketch_counts
            FROM unnest(@minutes::timestamp[]) AS m(s)
            JOIN metric_points p ON p.at >= m.s AND p.at < m.s + interval '1 minute'),
        {Merge}
        INSERT INTO metric_rollup_minute (series_id, at, count, sum, min, max, last, last_at, sketch_keys, sketch_counts, p50, p90, p95, p99)
        {Insert};
        WITH src AS MATERIALIZED (
            SELECT r.series_id, h.s AS at, r.count, r.sum, r.min, r.max, r.last, r.last_at, r.sketch_keys, r.sketch_counts
            FROM unnest(@hours::timestamp[]) AS h(s)
            JOIN metric_rollup_minute r ON r.at >= h.s AND r.at < h.s + interval '1 hour'),
        {Merge}
        INSERT INTO metric_rollup_hour (series_id, at, count, sum, min, max, last, last_at, sketch_keys, sketch_counts, p50, p90, p95, p99)
        {Insert};
        """;

    private const string Merge = $"""
        agg AS (SELECT series_id, at, {Combine} FROM src GROUP BY series_id, at),
        sk AS (
            SELECT series_id, at, array_agg(k ORDER BY k) AS keys, array_agg(c ORDER BY k) AS counts
            FROM (SELECT s.series_id, s.at, u.k, sum(u.c) AS c
                  FROM src s CROSS JOIN LATERAL unnest(s.sketch_keys, s.sketch_counts) AS u(k, c)
                  WHERE s.sketch_keys IS NOT NULL
                  GROUP BY 1, 2, 3) b
            GROUP BY series_id, at),
        q AS (
            SELECT a.*, sk.keys, sk.counts,
                   CASE WHEN sk.keys IS NULL THEN NULL
                        ELSE metric_sketch_quantiles(sk.keys, sk.counts, ARRAY[0.5, 0.9, 0.95, 0.99]::float8[]) END AS qs
            FROM agg a LEFT JOIN sk USING (series_id, at))
        """;

    private const string Insert = """
        SELECT series_id, at, count, sum, min, max, last, last_at, keys, counts,
               least(greatest(qs[1], min), max), least(greatest(qs[2], min), max),
               least(greatest(qs[3], min), max), least(greatest(qs[4], min), max)
        FROM q
        """;
}
