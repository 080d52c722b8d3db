using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// Answers from the per-minute rollups (docs/decisions/ADR-009) for unfiltered queries over at least
/// <see cref="RollupMinSpan"/>: whole, rolled-up minutes come from the rollup tables, and everything
/// else — the part-minutes at either end of the range, minutes marked dirty since their last rollup,
/// and minutes a histogram bar boundary cuts — from the access table, in the same statement (one
/// snapshot). The answers are the same as the access table's; the tests compare both.
/// </summary>
internal sealed class LogRollupReader(AccessQuery access)
{
    /// <summary>Shorter ranges read few enough rows that the access table answers them as fast.</summary>
    public static readonly TimeSpan RollupMinSpan = TimeSpan.FromHours(1);

    // Fields with a rollup of every value per minute; path has the top paths of each hour (ByPathFromRollupsAsync).
    private static readonly HashSet<string> RolledUpColumns = ["status", "hostname", "method"];

    /// <summary>Off in tests that need the access table's own answer to compare with.</summary>
    public bool Enabled { get; set; } = true;

    public sealed record RollupRange(DateTime Start, DateTime End, DateTime First, DateTime Last)
    {
        public DateTime[] EdgeStarts => [.. Edges().Select(e => e.S)];

        public DateTime[] EdgeEnds => [.. Edges().Select(e => e.E)];

        private IEnumerable<(DateTime S, DateTime E)> Edges()
        {
            if (Start < First)
            {
                yield return (Start, First);
            }
            if (Last < End)
            {
                yield return (Last, End);
            }
        }
    }

    public RollupRange? RangeFor(string? query, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (!Enabled || !string.IsNullOrWhiteSpace(query) && QueryCompiler.Compile(query, new SqlParameters()) != "TRUE")
        {
            return null;
        }
        var (start, end) = access.Range(from, to);
        var first = CeilingMinute(start);
        var last = FloorMinute(end);
        return last - first < RollupMinSpan ? null : new RollupRange(Plain(start), Plain(end), first, last);
    }

    private static DateTime Plain(DateTime utc) => AccessQuery.Plain(utc);

    private static DateTime FloorMinute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Unspecified);

    private static DateTime CeilingMinute(DateTime t) => t.Ticks % TimeSpan.TicksPerMinute == 0 ? Plain(t) : FloorMinute(t).AddMinutes(1);

    /// <summary>
    /// The CTEs every rollup statement starts with: <c>dirty</c> (minutes of the range changed since their
    /// rollup) and <c>raw_ranges</c> (what must be read from access), and the condition for usable rollup rows.
    /// </summary>
    private static (string With, string Clean) RollupFrame(RollupRange r, IReadOnlyList<DateTime> cut, SqlParameters p)
    {
        var first = p.Add(r.First, NpgsqlDbType.Timestamp);
        var last = p.Add(r.Last, NpgsqlDbType.Timestamp);
        var cutMinutes = p.Add(cut.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Timestamp);
        var with = $"""
            WITH dirty AS (SELECT DISTINCT minute FROM access_rollup_dirty WHERE minute >= {first} AND minute < {last}
                           UNION SELECT unnest({cutMinutes}::timestamp[])),
            raw_ranges AS (
                SELECT s, e FROM unnest({p.Add(r.EdgeStarts, NpgsqlDbType.Array | NpgsqlDbType.Timestamp)}::timestamp[],
                                        {p.Add(r.EdgeEnds, NpgsqlDbType.Array | NpgsqlDbType.Timestamp)}::timestamp[]) AS x(s, e)
                UNION ALL SELECT minute, minute + interval '1 minute' FROM dirty)
            """;
        var clean = $"r.minute >= {first} AND r.minute < {last} AND r.minute NOT IN (SELECT minute FROM dirty)";
        return (with, clean);
    }

    public async Task<LogStats?> StatsAsync(
        RollupRange r, string unit, string column, string? timeKey, int limit, CancellationToken ct)
    {
        if (column == "path")
        {
            return await ByPathFromRollupsAsync(r, limit, ct);
        }
        if (timeKey is null && !RolledUpColumns.Contains(column))
        {
            return null;
        }
        var p = new SqlParameters();
        var (with, clean) = RollupFrame(r, [], p);
        string rolled, order;
        if (timeKey is not null)
        {
            rolled = $"SELECT date_trunc('{unit}', r.minute) AS key, r.requests AS n FROM access_rollup_minute r WHERE {clean}";
            order = "key";
        }
        else
        {
            var value = column == "status" ? "r.value::integer" : "r.value";
            rolled = $"SELECT {value} AS key, r.count AS n FROM access_rollup_value r WHERE r.field = {p.Add(column)} AND {clean}";
            order = "count DESC, key";
        }
        var sql = $"""
            {with},
            parts AS (
                {rolled}
                UNION ALL
                SELECT {timeKey ?? column}, count(*) FROM raw_ranges JOIN access ON date >= s AND date < e GROUP BY 1)
            SELECT key, sum(n)::bigint AS count, sum(sum(n)) OVER () AS total FROM parts
            GROUP BY 1 ORDER BY {order} LIMIT {p.Add(limit, NpgsqlDbType.Integer)}
            """;
        return await access.ReadStatsAsync(sql, p, ct);
    }

    /// <summary>
    /// Top paths from the hourly path rollup when it can prove them exact, else null (the caller reads
    /// access). Whole, clean hours come from the rollup; the part-hours at the ends and hours with a dirty
    /// minute from access. An hour keeps its most requested paths; a path it left out has at most
    /// <c>path_rest_max</c> requests in it. So a path's count lies between the sum of its kept counts
    /// (plus its rows read from access) and that plus the rest_max of every hour that left it out. The
    /// answer is exact when each of the top paths was kept wherever something was left out, and the last
    /// of them has more requests than any other path could have.
    /// </summary>
    private async Task<LogStats?> ByPathFromRollupsAsync(RollupRange r, int top, CancellationToken ct)
    {
        var firstHour = CeilingHour(r.Start);
        var lastHour = new DateTime(r.End.Ticks - r.End.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Unspecified);
        if (lastHour <= firstHour)
        {
            return null;
        }
        var p = new SqlParameters();
        var first = p.Add(firstHour, NpgsqlDbType.Timestamp);
        var last = p.Add(lastHour, NpgsqlDbType.Timestamp);
        var hours = new RollupRange(r.Start, r.End, firstHour, lastHour);
        var sql = $"""
            WITH dirty AS (SELECT DISTINCT date_trunc('hour', minute) AS hour FROM access_rollup_dirty WHERE minute >= {first} AND minute < {last}),
            raw_ranges AS (
                SELECT s, e FROM unnest({p.Add(hours.EdgeStarts, NpgsqlDbType.Array | NpgsqlDbType.Timestamp)}::timestamp[],
                                        {p.Add(hours.EdgeEnds, NpgsqlDbType.Array | NpgsqlDbType.Timestamp)}::timestamp[]) AS x(s, e)
                UNION ALL SELECT hour, hour + interval '1 hour' FROM dirty),
            clean AS (
                SELECT h.hour, h.requests, h.path_rest_max FROM access_rollup_hour h
                WHERE h.hour >= {first} AND h.hour < {last} AND h.hour NOT IN (SELECT hour FROM dirty)),
            rest AS (SELECT coalesce(sum(path_rest_max), 0) AS most, coalesce(sum(requests), 0) AS requests FROM clean),
            raw AS (SELECT path AS key, count(*) AS n FROM raw_ranges JOIN access ON date >= s AND date < e GROUP BY 1),
            kept AS (
                SELECT v.path AS key, sum(v.count) AS n, sum(c.path_rest_max) AS covered
                FROM access_rollup_path v JOIN clean c ON c.hour = v.hour
                WHERE v.hour >= {first} AND v.hour < {last}
                GROUP BY 1),
            paths AS (
                SELECT key, sum(n) AS n, sum(covered) AS covered
                FROM (SELECT key, n, covered FROM kept UNION ALL SELECT key, n, 0 FROM raw) x GROUP BY key),
            scored AS (SELECT key, n, n + (SELECT most FROM rest) - covered AS bound FROM paths),
            -- A top-N sort, not a ranking of every path: ~35k paths a day, and sorting them all by text took
            -- most of the statement's time (bench/RESULTS.md).
            best AS (SELECT key, n, bound FROM scored ORDER BY n DESC, key LIMIT {p.Add(top, NpgsqlDbType.Integer)})
            SELECT row_number() OVER (ORDER BY n DESC, key) AS rn, key, n::bigint, bound::bigint,
                   (SELECT requests FROM rest) + (SELECT coalesce(sum(n), 0) FROM raw) AS total
            FROM best
            UNION ALL
            SELECT 0, NULL, NULL, greatest(max(bound), (SELECT most FROM rest))::bigint, NULL
            FROM scored s WHERE NOT EXISTS (SELECT 1 FROM best b WHERE b.key IS NOT DISTINCT FROM s.key)
            ORDER BY 1
            """;
        var buckets = new List<LogBucket>();
        long total = 0, othersAtMost = 0;
        var exact = true;
        await access.ReadAsync(sql, p, async reader =>
        {
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetInt64(0) == 0)
                {
                    othersAtMost = reader.GetInt64(3);
                    continue;
                }
                var n = reader.GetInt64(2);
                exact &= reader.GetInt64(3) == n;
                buckets.Add(new LogBucket(reader.IsDBNull(1) ? null : reader.GetString(1), n));
                total = (long)reader.GetDecimal(4);
            }
            return 0;
        }, ct);
        // Fewer paths than asked for: only exact if no path can be missing at all.
        var lowest = buckets.Count == top ? buckets[^1].Count : 1;
        return exact && lowest > othersAtMost ? new LogStats(total, buckets) : null;
    }

    private static DateTime CeilingHour(DateTime t) =>
        t.Ticks % TimeSpan.TicksPerHour == 0 ? Plain(t) : new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerHour + TimeSpan.TicksPerHour, DateTimeKind.Unspecified);

    /// <summary>Histogram bars from the rollups; minutes that a bar boundary cuts are read from access.</summary>
    public (string Sql, SqlParameters P)? HistogramSql(RollupRange r, TimeSpan bucket, DateTime origin)
    {
        if (bucket < TimeSpan.FromMinutes(1))
        {
            return null;
        }
        var cut = new List<DateTime>();
        var firstBoundary = origin.Ticks + ((Plain(r.First).Ticks - origin.Ticks + bucket.Ticks - 1) / bucket.Ticks) * bucket.Ticks;
        for (var t = firstBoundary; t < r.Last.Ticks; t += bucket.Ticks)
        {
            if (t % TimeSpan.TicksPerMinute != 0)
            {
                cut.Add(FloorMinute(new DateTime(t)));
            }
        }
        var p = new SqlParameters();
        var (with, clean) = RollupFrame(r, cut, p);
        var width = p.Add(bucket, NpgsqlDbType.Interval);
        var at = p.Add(Plain(origin), NpgsqlDbType.Timestamp);
        var sql = $"""
            {with},
            parts AS (
                SELECT date_bin({width}, r.minute, {at}) AS bucket, r.status_2xx AS c2, r.status_3xx AS c3, r.status_4xx AS c4,
                       r.status_5xx AS c5, r.status_other AS other
                FROM access_rollup_minute r WHERE {clean}
                UNION ALL
                SELECT date_bin({width}, date, {at}),
                       count(*) FILTER (WHERE status BETWEEN 200 AND 299), count(*) FILTER (WHERE status BETWEEN 300 AND 399),
                       count(*) FILTER (WHERE status BETWEEN 400 AND 499), count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                       count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599)
                FROM raw_ranges JOIN access ON date >= s AND date < e GROUP BY 1)
            SELECT bucket, sum(c2)::bigint, sum(c3)::bigint, sum(c4)::bigint, sum(c5)::bigint, sum(other)::bigint
            FROM parts GROUP BY 1 ORDER BY 1
            """;
        return (sql, p);
    }
}
