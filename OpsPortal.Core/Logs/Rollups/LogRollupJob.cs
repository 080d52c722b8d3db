using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Ingest;

namespace OpsPortal.Core.Logs.Rollups;

/// <summary>
/// Recomputes the rollups of the minutes <see cref="AccessWriter"/> marked dirty, from the access table
/// (docs/decisions/ADR-009). Each round reads the marks and the rows in one REPEATABLE READ snapshot,
/// replaces those minutes' rollups and deletes exactly the marks it read, in one transaction. A batch
/// committed after the snapshot left a mark the round did not read, so the minute is done again next
/// round; until then searches read it from the access table. Rollups are therefore never wrong, only
/// sometimes not used, whether or not this job runs. The paths of an hour are recomputed whole whenever
/// one of its minutes is, so the open hour's are redone each round (~1,000 rows a minute here: tens of ms).
/// The same round recomputes the minutes' trends and their hours (<see cref="LogTrendSql"/>, ADR-025),
/// which outlive the access rows: LogMaintenanceJob keeps a day with marked minutes until they are done.
/// </summary>
internal sealed class LogRollupJob([FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Paths kept per hour: the most requested ones (ADR-009 explains why that is enough).</summary>
    public const int PathsPerHour = 500;

    private const int MinutesPerRound = 360;

    private const string Dirty = "access_rollup_dirty";

    /// <summary>Rolls up every dirty minute before the current one; returns how many minutes it did.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // Session lock, taken before the snapshot: two rounds on one minute would otherwise each
        // delete the other's rows (a serialization failure at best).
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('opsportal.access_rollup'))", conn))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        try
        {
            var total = 0;
            // The current minute is still being written: leave it to the raw table until it is over.
            var cut = Minute(clock.GetUtcNow().UtcDateTime);
            await EnsureTrendPartitionsAsync(conn, cut, ct);
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
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('opsportal.access_rollup'))", conn);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<int> RoundAsync(NpgsqlConnection conn, DateTime cut, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var (ids, minutes) = await DirtyMinutes.ReadAsync(conn, tx, Dirty, cut, MinutesPerRound, ct);
        if (minutes.Length == 0)
        {
            return 0;
        }
        // JIT off: the planner overestimates these statements and would compile for longer than they run.
#pragma warning disable CA2100 // Constant SQL; the trend tables' names are constants too.
        await using (var cmd = new NpgsqlCommand("SET LOCAL jit = off;\n" + RecomputeSql + TrendSql, conn, tx))
#pragma warning restore CA2100
        {
            cmd.CommandTimeout = 0;
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            cmd.Parameters.Add(new NpgsqlParameter("minutes", NpgsqlDbType.Array | NpgsqlDbType.Timestamp) { Value = minutes });
            cmd.Parameters.Add(new NpgsqlParameter("hours", NpgsqlDbType.Array | NpgsqlDbType.Timestamp) { Value = DirtyMinutes.Hours(minutes) });
            cmd.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Integer) { Value = PathsPerHour });
            cmd.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Integer) { Value = LogTrendSql.KeysPerMinute });
            cmd.Parameters.Add(new NpgsqlParameter("other", NpgsqlDbType.Text) { Value = LogTrendSql.Other });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return minutes.Length;
    }

    /// <summary>The trend partitions of every marked day must exist before a round (created in their own short transactions).</summary>
    private static async Task EnsureTrendPartitionsAsync(NpgsqlConnection conn, DateTime cut, CancellationToken ct)
    {
        foreach (var day in await DirtyMinutes.DaysAsync(conn, Dirty, cut, ct))
        {
            await TimePartitions.EnsureAsync(conn, LogTrendSql.Minutes, day, ct);
            await TimePartitions.EnsureAsync(conn, LogTrendSql.Hours, day, ct);
        }
    }

    internal static DateTime Minute(DateTime t) =>
        DateTime.SpecifyKind(new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);

    // One pass over the minutes' rows (GROUPING SETS) for the minute table and the values of status,
    // hostname and method; then each affected hour's paths, the top ones kept with the largest count
    // left out. GROUPING(status, hostname, method) tells the sets apart: 3 = by status, 5 = hostname,
    // 6 = method. Named parameters: Npgsql sends the statements as one batch.
    private const string RecomputeSql = """
        DELETE FROM access_rollup_dirty WHERE id = ANY(@ids);
        DELETE FROM access_rollup_minute WHERE minute = ANY(@minutes);
        DELETE FROM access_rollup_value WHERE minute = ANY(@minutes);
        DELETE FROM access_rollup_hour WHERE hour = ANY(@hours);
        DELETE FROM access_rollup_path WHERE hour = ANY(@hours);
        WITH groups AS MATERIALIZED (
            SELECT a.minute, GROUPING(a.status, a.hostname, a.method) AS g, a.status, a.hostname, a.method, count(*) AS n
            FROM (SELECT m.s AS minute, x.status, x.hostname, x.method
                  FROM unnest(@minutes::timestamp[]) AS m(s)
                  JOIN access x ON x.date >= m.s AND x.date < m.s + interval '1 minute') a
            GROUP BY GROUPING SETS ((a.minute, a.status), (a.minute, a.hostname), (a.minute, a.method))),
        minutes AS (
            INSERT INTO access_rollup_minute (minute, requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other)
            SELECT minute, sum(n),
                   coalesce(sum(n) FILTER (WHERE status BETWEEN 200 AND 299), 0),
                   coalesce(sum(n) FILTER (WHERE status BETWEEN 300 AND 399), 0),
                   coalesce(sum(n) FILTER (WHERE status BETWEEN 400 AND 499), 0),
                   coalesce(sum(n) FILTER (WHERE status BETWEEN 500 AND 599), 0),
                   coalesce(sum(n) FILTER (WHERE status IS NULL OR status < 200 OR status > 599), 0)
            FROM groups WHERE g = 3 GROUP BY minute)
        INSERT INTO access_rollup_value (minute, field, value, count)
        SELECT minute, CASE g WHEN 3 THEN 'status' WHEN 5 THEN 'hostname' ELSE 'method' END,
               CASE g WHEN 3 THEN status::text WHEN 5 THEN hostname ELSE method END, n
        FROM groups;
        WITH paths AS (
            SELECT h.s AS hour, x.path, count(*) AS n
            FROM unnest(@hours::timestamp[]) AS h(s)
            JOIN access x ON x.date >= h.s AND x.date < h.s + interval '1 hour'
            GROUP BY 1, 2),
        ranked AS (SELECT hour, path, n, row_number() OVER (PARTITION BY hour ORDER BY n DESC, path) AS rn FROM paths),
        hours AS (
            INSERT INTO access_rollup_hour (hour, requests, path_rest_max)
            SELECT hour, sum(n), coalesce(max(n) FILTER (WHERE rn > @k), 0) FROM ranked GROUP BY hour)
        INSERT INTO access_rollup_path (hour, path, count)
        SELECT hour, path, n FROM ranked WHERE rn <= @k;
        """;

    // The trends (ADR-025): each row of the minutes counted three times — for all traffic, its host and
    // its path group — with the busiest @keys hosts and groups of each minute kept and the rest summed
    // under @other; requests by status class, backend time and its sketch. Then their hours from the
    // minutes, in this transaction, so the new minutes count.
    private static readonly string TrendSql = $$"""
        DELETE FROM access_trend_minute WHERE at = ANY(@minutes);
        DELETE FROM access_trend_hour WHERE at = ANY(@hours);
        WITH r AS MATERIALIZED (
            SELECT m.s AS at, coalesce(x.hostname, '') AS host, coalesce(access_path_group(x.path), '') AS grp, x.status, x.backendtime
            FROM unnest(@minutes::timestamp[]) AS m(s)
            JOIN access x ON x.date >= m.s AND x.date < m.s + interval '1 minute'),
        keyed AS MATERIALIZED (
            SELECT at, '' AS dim, '' AS key, status, backendtime FROM r
            UNION ALL SELECT at, 'host', host, status, backendtime FROM r
            UNION ALL SELECT at, 'path', grp, status, backendtime FROM r),
        ranked AS (
            SELECT at, dim, key, row_number() OVER (PARTITION BY at, dim ORDER BY count(*) DESC, key) AS rn
            FROM keyed GROUP BY at, dim, key),
        src AS MATERIALIZED (
            SELECT k.at, k.dim, CASE WHEN n.rn <= @keys THEN k.key ELSE @other END AS key, k.status, k.backendtime
            FROM keyed k JOIN ranked n USING (at, dim, key)),
        agg AS (
            SELECT at, dim, key, count(*) AS requests,
                   count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS s2, count(*) FILTER (WHERE status BETWEEN 300 AND 399) AS s3,
                   count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS s4, count(*) FILTER (WHERE status BETWEEN 500 AND 599) AS s5,
                   count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599) AS so,
                   count(backendtime) AS timed, coalesce(sum(backendtime), 0) AS tsum, min(backendtime) AS tmin, max(backendtime) AS tmax
            FROM src GROUP BY at, dim, key),
        sk AS (
            SELECT at, dim, key, array_agg(k ORDER BY k) AS keys, array_agg(c ORDER BY k) AS counts
            FROM (SELECT at, dim, key, metric_sketch_key(backendtime) AS k, count(*)::float8 AS c
                  FROM src WHERE backendtime IS NOT NULL GROUP BY 1, 2, 3, 4) b
            GROUP BY at, dim, key)
        {{InsertTrends(LogTrendSql.Minutes)}}
        WITH src AS MATERIALIZED (
            SELECT h.s AS at, t.dim, t.key, t.requests, t.status_2xx, t.status_3xx, t.status_4xx, t.status_5xx, t.status_other,
                   t.timed, t.time_sum, t.time_min, t.time_max, t.sketch_keys, t.sketch_counts
            FROM unnest(@hours::timestamp[]) AS h(s)
            JOIN access_trend_minute t ON t.at >= h.s AND t.at < h.s + interval '1 hour'),
        agg AS (
            SELECT at, dim, key, sum(requests)::bigint AS requests, sum(status_2xx)::bigint AS s2, sum(status_3xx)::bigint AS s3,
                   sum(status_4xx)::bigint AS s4, sum(status_5xx)::bigint AS s5, sum(status_other)::bigint AS so,
                   sum(timed)::bigint AS timed, sum(time_sum) AS tsum, min(time_min) AS tmin, max(time_max) AS tmax
            FROM src GROUP BY at, dim, key),
        sk AS (
            SELECT at, dim, key, array_agg(k ORDER BY k) AS keys, array_agg(c ORDER BY k) AS counts
            FROM (SELECT s.at, s.dim, s.key, u.k, sum(u.c) AS c
                  FROM src s CROSS JOIN LATERAL unnest(s.sketch_keys, s.sketch_counts) AS u(k, c)
                  WHERE s.sketch_keys IS NOT NULL GROUP BY 1, 2, 3, 4) b
            GROUP BY at, dim, key)
        {{InsertTrends(LogTrendSql.Hours)}}
        """;

    /// <summary>The rows of <c>agg</c> (counts) and <c>sk</c> (sketches) into a trend table, with their percentiles kept within [min, max].</summary>
    private static string InsertTrends(string table) => $"""
        INSERT INTO {table} (at, dim, key, requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other,
                             timed, time_sum, time_min, time_max, sketch_keys, sketch_counts, p50, p90, p95, p99)
        SELECT at, dim, key, requests, s2, s3, s4, s5, so, timed, tsum, tmin, tmax, keys, counts,
               least(greatest(qs[1], tmin), tmax), least(greatest(qs[2], tmin), tmax), least(greatest(qs[3], tmin), tmax), least(greatest(qs[4], tmin), tmax)
        FROM (SELECT a.*, sk.keys, sk.counts,
                     CASE WHEN sk.keys IS NULL THEN NULL
                          ELSE metric_sketch_quantiles(sk.keys, sk.counts, ARRAY[0.5, 0.9, 0.95, 0.99]::float8[]) END AS qs
              FROM agg a LEFT JOIN sk USING (at, dim, key)) q;
        """;
}
