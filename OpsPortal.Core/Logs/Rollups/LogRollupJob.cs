using System.Data;
using Npgsql;
using NpgsqlTypes;
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
/// </summary>
public sealed class LogRollupJob(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Paths kept per hour: the most requested ones (ADR-009 explains why that is enough).</summary>
    public const int PathsPerHour = 500;

    private const int MinutesPerRound = 360;

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
        var ids = new List<long>();
        var minutes = new SortedSet<DateTime>();
        await using (var cmd = new NpgsqlCommand("""
            WITH m AS (SELECT DISTINCT minute FROM access_rollup_dirty WHERE minute < $1 ORDER BY minute LIMIT $2)
            SELECT d.id, d.minute FROM access_rollup_dirty d JOIN m USING (minute)
            """, conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = cut, NpgsqlDbType = NpgsqlDbType.Timestamp });
            cmd.Parameters.Add(new NpgsqlParameter { Value = MinutesPerRound });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
                minutes.Add(reader.GetDateTime(1));
            }
        }
        if (minutes.Count == 0)
        {
            return 0;
        }
        await using (var cmd = new NpgsqlCommand(RecomputeSql, conn, tx))
        {
            cmd.CommandTimeout = 0;
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("minutes", NpgsqlDbType.Array | NpgsqlDbType.Timestamp) { Value = minutes.ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("hours", NpgsqlDbType.Array | NpgsqlDbType.Timestamp)
            {
                Value = minutes.Select(m => m.AddTicks(-(m.Ticks % TimeSpan.TicksPerHour))).Distinct().ToArray(),
            });
            cmd.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Integer) { Value = PathsPerHour });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return minutes.Count;
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
}
