using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Rollups;

namespace OpsPortal.Core.Logs.Search;

public sealed partial class LogTrends
{
    private const string Numbers = "requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other, time_min, time_max";

    /// <summary>
    /// One statement: rows of the chosen trend table for clean units, and for hours with a marked minute
    /// the minute trends of their clean minutes; marked minutes themselves from the access table,
    /// aggregated the same way. A step equal to the table's own uses its precomputed percentiles;
    /// otherwise sketches are merged here. Without <paramref name="percentiles"/> no sketch is read: the
    /// trend rows come from their primary key's index alone (it includes every count). A split with
    /// percentiles first picks its top keys from the counts alone, then reads only those keys' sketches.
    /// </summary>
    private async Task<List<LogTrendLine>> ReadTrendsAsync(
        string table, string dim, string? key, DateTime start, DateTime end, TimeSpan step, int top, bool percentiles, CancellationToken ct)
    {
        IReadOnlyList<string>? only = null;
        if (key is null && percentiles)
        {
            var counted = await ReadLinesAsync(table, dim, key, null, start, end, step, top, percentiles: false, ct);
            if (counted.Count == 0)
            {
                return counted;
            }
            only = counted.Select(l => l.Key).ToList();
        }
        return await ReadLinesAsync(table, dim, key, only, start, end, step, top, percentiles, ct);
    }

    /// <param name="only">The split's keys to read, in this order, or null for the <paramref name="top"/> busiest.</param>
    private async Task<List<LogTrendLine>> ReadLinesAsync(
        string table, string dim, string? key, IReadOnlyList<string>? only, DateTime start, DateTime end, TimeSpan step, int top,
        bool percentiles, CancellationToken ct)
    {
        var own = table == LogTrendSql.Hours ? TimeSpan.FromHours(1) : Minute;
        var precomputed = step == own;
        var sketches = percentiles ? SketchColumns : NoSketchColumns;
        var rollup = !percentiles ? NoSketchColumns
            : precomputed ? ", NULL::integer[] AS sketch_keys, NULL::float8[] AS sketch_counts, p50, p95, p99" : SketchColumns;
        var filter = "dim = @dim AND (@key::text IS NULL OR key = @key) AND (@only::text[] IS NULL OR key = ANY(@only)) AND at >= @start AND at < @end";
        var keyOfRow = dim switch
        {
            "host" => "coalesce(x.hostname, '')",
            "path" => "coalesce(access_path_group(x.path), '')",
            _ => "''",
        };
        var rawFilter = (dim, key) switch
        {
            ("host", "") => "AND x.hostname IS NULL",
            ("host", not null) => "AND x.hostname = @key",
            _ => "",
        };
        var hourly = table == LogTrendSql.Hours
            ? $"""
              UNION ALL
              SELECT key, at, {Numbers}{sketches} FROM access_trend_minute
              WHERE {filter} AND date_trunc('hour', at) IN (SELECT hour FROM dirty_hours) AND at NOT IN (SELECT minute FROM dirty)
              """
            : "";
#pragma warning disable CA2100 // Constant fragments and one of two table names; every value is a parameter.
        var sql = $"""
            WITH dirty AS (SELECT DISTINCT minute FROM access_rollup_dirty WHERE minute >= @start AND minute < @end),
            dirty_hours AS (SELECT DISTINCT date_trunc('hour', minute) AS hour FROM dirty),
            raw AS MATERIALIZED (
                SELECT {keyOfRow} AS key, d.minute AS at, x.status, x.backendtime
                FROM dirty d JOIN access x ON x.date >= d.minute AND x.date < d.minute + interval '1 minute'
                WHERE (@only::text[] IS NULL OR {keyOfRow} = ANY(@only)) {rawFilter}),
            raw_sk AS (
                SELECT key, at, array_agg(k ORDER BY k) AS sketch_keys, array_agg(c ORDER BY k) AS sketch_counts
                FROM (SELECT key, at, metric_sketch_key(backendtime) AS k, count(*)::float8 AS c
                      FROM raw WHERE backendtime IS NOT NULL GROUP BY 1, 2, 3) b
                GROUP BY key, at),
            parts AS (
                SELECT key, at, {Numbers}{rollup} FROM {table}
                WHERE {filter} AND {(table == LogTrendSql.Hours ? "at NOT IN (SELECT hour FROM dirty_hours)" : "at NOT IN (SELECT minute FROM dirty)")}
                {hourly}
                UNION ALL
                SELECT a.key, a.at, a.requests, a.s2, a.s3, a.s4, a.s5, a.so, a.tmin, a.tmax,
                       {(percentiles ? "s.sketch_keys, s.sketch_counts" : "NULL::integer[], NULL::float8[]")}, NULL::float8, NULL::float8, NULL::float8
                FROM (SELECT key, at, count(*) AS requests,
                             count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS s2, count(*) FILTER (WHERE status BETWEEN 300 AND 399) AS s3,
                             count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS s4, count(*) FILTER (WHERE status BETWEEN 500 AND 599) AS s5,
                             count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599) AS so,
                             min(backendtime) AS tmin, max(backendtime) AS tmax
                      FROM raw GROUP BY key, at) a
                {(percentiles ? "LEFT JOIN raw_sk s USING (key, at)" : "")})
            {(percentiles ? Unsummed : Summed)}
            """;
        await using var batch = dataSource.CreateBatch();
        batch.Timeout = 30;
        // JIT off, as for every log statement: the planner cannot estimate these joins (ADR-009).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        var cmd = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
        cmd.Parameters.Add(new NpgsqlParameter("dim", NpgsqlDbType.Text) { Value = dim });
        cmd.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = (object?)key ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Timestamp) { Value = DateTime.SpecifyKind(start, DateTimeKind.Unspecified) });
        cmd.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Timestamp) { Value = DateTime.SpecifyKind(end, DateTimeKind.Unspecified) });
        cmd.Parameters.Add(new NpgsqlParameter("step", NpgsqlDbType.Interval) { Value = step });
        cmd.Parameters.Add(new NpgsqlParameter("only", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)only?.ToArray() ?? DBNull.Value });
        batch.BatchCommands.Add(cmd);

        // A cell per key and step, indexed by step number (steps are whole: end - start is a multiple of step).
        var steps = (int)((end - start).Ticks / step.Ticks);
        var cells = new Dictionary<string, Cell[]>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var k = reader.GetString(0);
                if (!cells.TryGetValue(k, out var byStep))
                {
                    cells[k] = byStep = new Cell[steps];
                }
                var i = Math.DivRem(reader.GetDateTime(1).Ticks - start.Ticks, step.Ticks, out var off);
                if (off == 0 && i >= 0 && i < steps)
                {
                    byStep[i].Add(reader);
                }
            }
        }

        IReadOnlyList<string> keys = key is not null ? [key]
            : only is not null ? only
            : cells.OrderByDescending(c => Requests(c.Value)).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top).Select(c => c.Key).ToList();
        var lines = new List<LogTrendLine>();
        foreach (var k in keys)
        {
            var byStep = cells.GetValueOrDefault(k);
            var points = new LogTrendPoint[steps];
            for (var i = 0; i < steps; i++)
            {
                var t = new DateTimeOffset(start.Ticks + i * step.Ticks, TimeSpan.Zero);
                points[i] = byStep is null ? Empty(t) : byStep[i].Point(t);
            }
            lines.Add(new LogTrendLine(k, points));
        }
        return lines;
    }

    private static long Requests(Cell[] byStep)
    {
        var sum = 0L;
        foreach (var c in byStep)
        {
            sum += c.Requests;
        }
        return sum;
    }

    private const string SketchColumns = ", sketch_keys, sketch_counts, NULL::float8 AS p50, NULL::float8 AS p95, NULL::float8 AS p99";

    private const string Unsummed =
        $"SELECT key, date_bin(@step, at, TIMESTAMP '1970-01-01'), {Numbers}, sketch_keys, sketch_counts, p50, p95, p99 FROM parts";

    /// <summary>Counts only: summed per key and step here, so a year of hours by day ships one row per point.</summary>
    private const string Summed = """
        SELECT key, date_bin(@step, at, TIMESTAMP '1970-01-01'), sum(requests)::bigint, sum(status_2xx)::bigint, sum(status_3xx)::bigint,
               sum(status_4xx)::bigint, sum(status_5xx)::bigint, sum(status_other)::bigint, min(time_min), max(time_max),
               NULL::integer[], NULL::float8[], NULL::float8, NULL::float8, NULL::float8
        FROM parts GROUP BY 1, 2
        """;

    private const string NoSketchColumns =
        ", NULL::integer[] AS sketch_keys, NULL::float8[] AS sketch_counts, NULL::float8 AS p50, NULL::float8 AS p95, NULL::float8 AS p99";

    /// <summary>The rows of one key and step: counts add, sketches merge; a lone rollup row brings its own percentiles.</summary>
    private struct Cell
    {
        public long Requests;
        private long _s2;
        private long _s3;
        private long _s4;
        private long _s5;
        private long _other;
        private Sketch? _sketch;
        private double? _min;
        private double? _max;
        private (double? P50, double? P95, double? P99)? _own;
        private int _rows;

        // Runs once per row read (1,440 for a 24 h panel): optimised from the first call, as Sketch.Merge is.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(NpgsqlDataReader r)
        {
            _rows++;
            Requests += r.GetInt64(2);
            _s2 += r.GetInt64(3);
            _s3 += r.GetInt64(4);
            _s4 += r.GetInt64(5);
            _s5 += r.GetInt64(6);
            _other += r.GetInt64(7);
            if (!r.IsDBNull(8))
            {
                _min = _min is { } m ? Math.Min(m, r.GetDouble(8)) : r.GetDouble(8);
                _max = _max is { } x ? Math.Max(x, r.GetDouble(9)) : r.GetDouble(9);
            }
            if (!r.IsDBNull(10))
            {
                (_sketch ??= new Sketch()).Merge(r.GetFieldValue<int[]>(10), r.GetFieldValue<double[]>(11));
            }
            else if (!r.IsDBNull(13))
            {
                _own = (r.IsDBNull(12) ? null : r.GetDouble(12), r.GetDouble(13), r.IsDBNull(14) ? null : r.GetDouble(14));
            }
        }

        public readonly LogTrendPoint Point(DateTimeOffset t)
        {
            if (_rows == 0)
            {
                return Empty(t);
            }
            var (p50, p95, p99) = _own is { } own && _rows == 1
                ? own
                : (_sketch?.Quantile(0.5, _min, _max), _sketch?.Quantile(0.95, _min, _max), _sketch?.Quantile(0.99, _min, _max));
            return new LogTrendPoint(t, Requests, _s2, _s3, _s4, _s5, _other, p50, p95, p99);
        }
    }
}
