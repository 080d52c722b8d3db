using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Metrics.Rollups;

namespace OpsPortal.Core.Metrics.Queries;

public sealed partial class MetricQueries
{
    private const string RowColumns = "series_id, at, count, sum, min, max, last, last_at";

    private async Task<List<MetricSeriesLine>> ReadAsync(
        string pattern, List<SeriesRef> series, MetricKind kind, MetricFunction fn, MetricResolution resolution, DateTime start, DateTime to,
        TimeSpan step, int segment, CancellationToken ct)
    {
        // Steps are whole: the last one runs to its end even when 'to' falls inside it.
        var end = new DateTime((to.Ticks + step.Ticks - 1) / step.Ticks * step.Ticks, DateTimeKind.Utc);
        var granularity = MetricResolutions.Granularity(resolution, options.Value.FlushInterval);
        var percentile = fn.Quantile is not null;
        var oneSeriesPerLine = segment == -1 || series.Count == 1;
        // A rollup row alone in its step with the percentile precomputed: no sketch to read.
        var precomputed = percentile && fn.RollupColumn is { } column && step == granularity && oneSeriesPerLine && resolution != MetricResolution.Raw
            ? column
            : null;

        var sql = BuildSql(resolution, percentile, precomputed);
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = series.Select(s => s.Id).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Timestamp) { Value = Plain(start) });
        cmd.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Timestamp) { Value = Plain(end) });
        cmd.Parameters.Add(new NpgsqlParameter("step", NpgsqlDbType.Interval) { Value = step });
        // The finer parts need not look before the oldest mark: a bound the planner sees prunes the older
        // minute and raw partitions (all of them for a range with nothing marked). A mark made between the two
        // statements is for a minute this answer then reads as of before it, never twice.
        var oldestMark = resolution == MetricResolution.Raw ? null : await OldestMarkAsync(ct);
        var dirtyStart = oldestMark is { } m && m > start ? m : oldestMark is null ? end : start;
        cmd.Parameters.Add(new NpgsqlParameter("dirtyStart", NpgsqlDbType.Timestamp) { Value = Plain(dirtyStart) });
        // A marked minute's hour is read from its minutes, from the start of that hour.
        var dirtyHour = RollupResolution.Floor(dirtyStart, TimeSpan.FromHours(1));
        cmd.Parameters.Add(new NpgsqlParameter("dirtyHour", NpgsqlDbType.Timestamp) { Value = Plain(dirtyHour < start ? start : dirtyHour) });
        cmd.CommandTimeout = 30;

        // A cell per series and step, indexed by step number: rows land straight in their slot, and a line
        // of one series reads its cells as they are (no merge).
        var steps = (int)((end - start).Ticks / step.Ticks);
        var position = new Dictionary<int, int>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            position[series[i].Id] = i;
        }
        var cells = new Cell[series.Count][];
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var s = position[reader.GetInt32(0)];
                var i = Math.DivRem(reader.GetDateTime(1).Ticks - start.Ticks, step.Ticks, out var off);
                if (off == 0 && i >= 0 && i < steps)
                {
                    (cells[s] ??= new Cell[steps])[i].Add(reader, percentile);
                }
            }
        }

        var lines = new List<MetricSeriesLine>();
        foreach (var group in Enumerable.Range(0, series.Count).GroupBy(i => GroupKey(series[i].Name, segment, pattern)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.Select(i => cells[i]).Where(c => c is not null).ToArray();
            var points = new MetricPointValue[steps];
            for (var i = 0; i < steps; i++)
            {
                var t = new DateTimeOffset(start.Ticks + i * step.Ticks, TimeSpan.Zero);
                points[i] = new MetricPointValue(t, members.Length == 1 ? Value(in members[0][i], kind, fn, step) : Merged(members, i, kind, fn, step));
            }
            lines.Add(new MetricSeriesLine(group.Key, points));
        }
        return lines;
    }

    private static double? Merged(Cell[][] members, int i, MetricKind kind, MetricFunction fn, TimeSpan step)
    {
        var merged = default(Cell);
        foreach (var m in members)
        {
            if (m[i].Rows > 0)
            {
                merged.Merge(in m[i], sumLast: true);
            }
        }
        return Value(in merged, kind, fn, step);
    }

    /// <summary>The line a series belongs to: its own name, the query's pattern (all combined), or one segment of its name.</summary>
    private static string GroupKey(string name, int segment, string pattern)
    {
        if (segment <= 0)
        {
            return segment == -1 ? name : pattern;
        }
        var parts = name.Split('.');
        return segment <= parts.Length ? parts[segment - 1] : "";
    }

    private static double? Value(in Cell c, MetricKind kind, MetricFunction fn, TimeSpan step)
    {
        if (c.Rows == 0)
        {
            return fn.ZeroWhenEmpty(kind) ? 0 : null;
        }
        return fn.Name switch
        {
            "sum" => c.Sum,
            "count" => c.Count,
            "avg" => c.Count == 0 ? null : c.Sum / c.Count,
            "min" => c.Min,
            "max" => c.Max,
            "last" => c.Last,
            "rate" => (kind == MetricKind.Counter ? c.Sum : c.Count) / step.TotalSeconds,
            _ => c.Quantile(fn.Quantile!.Value),
        };
    }

    /// <summary>
    /// The statement: the parts of the chosen resolution (rollup rows of clean units, finer rows of units
    /// with a minute not rolled up yet), bucketed by the step. Without a percentile, rows are combined in SQL
    /// (MetricRollupJob.Combine); with one, each row comes back with its sketch (or precomputed value).
    /// </summary>
    private static string BuildSql(MetricResolution resolution, bool percentile, string? precomputed)
    {
        var sketch = percentile ? ", sketch_keys, sketch_counts" : ", NULL::integer[] AS sketch_keys, NULL::float8[] AS sketch_counts";
        var fine = $"{sketch}, NULL::float8 AS pq";
        var own = precomputed is null ? fine : $", NULL::integer[] AS sketch_keys, NULL::float8[] AS sketch_counts, {precomputed} AS pq";
        var inRange = "series_id = ANY(@ids) AND at >= @start AND at < @end";
        var rawOfDirty = $"""
            SELECT p.series_id, p.at, p.count, p.sum, p.min, p.max, p.last, p.last_at{(percentile ? ", p.sketch_keys, p.sketch_counts" : ", NULL::integer[], NULL::float8[]")}, NULL::float8
            FROM dirty d JOIN metric_points p ON p.at >= d.minute AND p.at < d.minute + interval '1 minute'
            WHERE p.series_id = ANY(@ids) AND p.at >= @dirtyStart AND p.at < @end
            """;
        var parts = resolution switch
        {
            MetricResolution.Raw => $"SELECT {RowColumns}{fine} FROM metric_points WHERE {inRange}",
            MetricResolution.Minute => $"""
                SELECT {RowColumns}{own} FROM metric_rollup_minute WHERE {inRange} AND at NOT IN (SELECT minute FROM dirty)
                UNION ALL
                {rawOfDirty}
                """,
            _ => $"""
                SELECT {RowColumns}{own} FROM metric_rollup_hour WHERE {inRange} AND at NOT IN (SELECT hour FROM dirty_hours)
                UNION ALL
                SELECT {RowColumns}{fine} FROM metric_rollup_minute
                WHERE series_id = ANY(@ids) AND at >= @dirtyHour AND at < @end
                  AND date_trunc('hour', at) IN (SELECT hour FROM dirty_hours) AND at NOT IN (SELECT minute FROM dirty)
                UNION ALL
                {rawOfDirty}
                """,
        };
        var with = resolution == MetricResolution.Raw
            ? "WITH "
            : """
              WITH dirty AS (SELECT DISTINCT minute FROM metric_rollup_dirty WHERE minute >= @dirtyStart AND minute < @end),
              dirty_hours AS (SELECT DISTINCT date_trunc('hour', minute) AS hour FROM dirty),

              """;
        var bucket = "date_bin(@step, at, TIMESTAMP '1970-01-01')";
        return percentile
            ? $"{with}parts AS ({parts})\nSELECT series_id, {bucket}, count, sum, min, max, last, last_at, sketch_keys, sketch_counts, pq FROM parts"
            : $"{with}parts AS ({parts})\nSELECT series_id, {bucket} AS b, {MetricRollupJob.Combine}, NULL::integer[], NULL::float8[], NULL::float8 FROM parts GROUP BY 1, 2";
    }

    private static DateTime Plain(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Unspecified);

    private async Task<DateTime?> OldestMarkAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT min(minute) FROM metric_rollup_dirty");
        return await cmd.ExecuteScalarAsync(ct) is DateTime t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
    }

    /// <summary>Rows of one series and step (or of a line's series), combined as the rollups combine them.</summary>
    private struct Cell
    {
        public int Rows;
        public double Count;
        public double Sum;
        public double? Min;
        public double? Max;
        public double? Last;
        public DateTime? LastAt;
        private Sketch? _sketch;
        private double? _precomputed;

        public void Add(NpgsqlDataReader r, bool percentile)
        {
            Rows++;
            Count += r.GetDouble(2);
            Sum += r.GetDouble(3);
            Min = Min is { } m ? Math.Min(m, r.GetDouble(4)) : r.GetDouble(4);
            Max = Max is { } x ? Math.Max(x, r.GetDouble(5)) : r.GetDouble(5);
            if (!r.IsDBNull(6))
            {
                DateTime? at = r.IsDBNull(7) ? null : r.GetDateTime(7);
                var last = r.GetDouble(6);
                // The latest wins; equal times take the larger value, as the rollup SQL does.
                if (Last is null || at > LastAt || at == LastAt && last > Last)
                {
                    Last = last;
                    LastAt = at;
                }
            }
            if (percentile)
            {
                if (!r.IsDBNull(10))
                {
                    _precomputed = r.GetDouble(10);
                }
                if (!r.IsDBNull(8))
                {
                    (_sketch ??= new Sketch()).Merge(r.GetFieldValue<int[]>(8), r.GetFieldValue<double[]>(9));
                }
            }
        }

        /// <summary>Adds another cell: across nodes the latest last wins; across the series of a line (<paramref name="sumLast"/>) lasts add up.</summary>
        public void Merge(in Cell other, bool sumLast)
        {
            var first = Rows == 0;
            Rows += other.Rows;
            Count += other.Count;
            Sum += other.Sum;
            Min = Min is { } m && other.Min is { } om ? Math.Min(m, om) : Min ?? other.Min;
            Max = Max is { } x && other.Max is { } ox ? Math.Max(x, ox) : Max ?? other.Max;
            Last = sumLast && Last is { } l && other.Last is { } ol ? l + ol : Last ?? other.Last;
            if (other._sketch is not null)
            {
                (_sketch ??= new Sketch()).Merge(other._sketch);
            }
            // A precomputed percentile stands only for a cell of exactly one rollup row.
            _precomputed = first ? other._precomputed : null;
        }

        public readonly double? Quantile(double q) =>
            _precomputed is { } p && _sketch is null ? p : _sketch?.Quantile(q, Min, Max);
    }
}
