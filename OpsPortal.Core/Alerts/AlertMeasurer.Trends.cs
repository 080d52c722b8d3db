using System.Globalization;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Rollups;

namespace OpsPortal.Core.Alerts;

/// <summary>What answered a measurement over a long range: the host × status trends, the all-traffic rollup, or the access rows.</summary>
public static class MeasureSources
{
    public const string Trends = "trends";
    public const string Rollups = "rollups";
    public const string Access = "access";
}

public sealed partial class AlertMeasurer
{
    private static readonly Dictionary<long, string> StatusClassColumns = new()
    {
        [2] = "status_2xx",
        [3] = "status_3xx",
        [4] = "status_4xx",
        [5] = "status_5xx",
    };

    /// <summary>A query the host × status trends hold: all traffic or one host, optionally one status class.</summary>
    internal sealed record TrendShape(string? Host, string? Status);

    /// <summary>
    /// The trend row and columns that answer a count, rate or ratio rule without groups: the query and the
    /// denominator each all traffic, <c>host:NAME</c>, a status class, or a host and a status class (agreeing where
    /// both name one). Null when the trends cannot answer it.
    /// </summary>
    internal static (string Dim, string Key, string Matched, string Total)? TrendColumnsFor(AlertRuleSpec spec)
    {
        if (spec.GroupBy is not null || spec.Measure == AlertMeasure.Percentile
            || ShapeOf(spec.Query) is not { } q || ShapeOf(spec.Denominator) is not { } d)
        {
            return null;
        }
        if ((q.Host is not null && d.Host is not null && q.Host != d.Host) || (q.Status is not null && d.Status is not null && q.Status != d.Status))
        {
            return null;
        }
        var host = q.Host ?? d.Host;
        return (host is null ? "" : "host", host ?? "", q.Status ?? d.Status ?? "requests", d.Status ?? "requests");
    }

    private static TrendShape? ShapeOf(string? query)
    {
        QueryNode node;
        try
        {
            node = QueryParser.Parse(query);
        }
        catch (QueryException)
        {
            return null;
        }
        TrendShape? shape = new(null, null);
        foreach (var item in node is AndNode and ? and.Items : [node])
        {
            shape = (item, shape) switch
            {
                (_, null) => null,
                (AllNode, _) => shape,
                (CompareNode { Op: "=", Field.Column: "hostname", Value: string h }, { Host: null }) => shape with { Host = h },
                (BetweenNode { Field.Column: "status" } b, { Status: null }) when StatusClass(b) is { } c => shape with { Status = c },
                _ => null,
            };
        }
        return shape;
    }

    private static string? StatusClass(BetweenNode b)
    {
        var low = Convert.ToInt64(b.Low, CultureInfo.InvariantCulture);
        var high = Convert.ToInt64(b.High, CultureInfo.InvariantCulture);
        return low % 100 == 0 && high == low + 99 && StatusClassColumns.TryGetValue(low / 100, out var column) ? column : null;
    }

    /// <summary>
    /// Per-minute matched and total lines over [from, to) from the minute trends (docs/log-trends.md), when
    /// <see cref="TrendColumnsFor"/> says they hold the rule; null otherwise. One statement, one snapshot, the
    /// frame of the rollups (ADR-009): whole minutes the rollup job has done from <c>access_trend_minute</c>;
    /// the ends, the minutes marked dirty, and — for a host — the minutes whose host rows folded it into
    /// "(other)" (more than 100 busy hosts) from <c>access</c>.
    /// </summary>
    internal async Task<List<MinuteCounts>?> TrendCountsAsync(AlertRuleSpec spec, DateTime from, DateTime to, CancellationToken ct)
    {
        if (TrendColumnsFor(spec) is not var (dim, key, matchedColumn, totalColumn))
        {
            return null;
        }
        var p = new SqlParameters();
        var matched = QueryCompiler.Compile(spec.Query, p);
        var total = QueryCompiler.Compile(spec.Denominator, p);
        var first = CeilingMinute(from);
        var last = FloorMinute(to);
        if (last < first)
        {
            first = last = FloorMinute(from);
        }
        var f = p.Add(Plain(from), NpgsqlDbType.Timestamp);
        var t = p.Add(Plain(to), NpgsqlDbType.Timestamp);
        var a = p.Add(Plain(first), NpgsqlDbType.Timestamp);
        var b = p.Add(Plain(last), NpgsqlDbType.Timestamp);
        var dimParam = p.Add(dim, NpgsqlDbType.Text);
        var keyParam = p.Add(key, NpgsqlDbType.Text);
        var rawMinutes = RawMinutesSql(dim, keyParam, a, b, p);
        var sql = $"""
            WITH raw_minutes AS ({rawMinutes}),
            parts AS (
                SELECT r.at AS m, r.{matchedColumn} AS matched, r.{totalColumn} AS total FROM {LogTrendSql.Minutes} r
                WHERE r.dim = {dimParam} AND r.key = {keyParam} AND r.at >= {a} AND r.at < {b} AND r.at NOT IN (SELECT minute FROM raw_minutes)
                UNION ALL
                SELECT date_trunc('minute', date), count(*) FILTER (WHERE {matched}), count(*) FROM access
                WHERE ((date >= {f} AND date < {a}) OR (date >= {b} AND date < {t})) AND {total}
                GROUP BY 1
                UNION ALL
                SELECT raw_minutes.minute, a.matched, a.total FROM raw_minutes CROSS JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE {matched}) AS matched, count(*) AS total FROM access
                    WHERE {RawMinuteRange} AND {total} HAVING count(*) > 0) a)
            SELECT m, '' AS key, sum(matched)::bigint, sum(total)::bigint FROM parts GROUP BY 1
            """;
        var rows = new List<MinuteCounts>();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                rows.Add(new MinuteCounts(DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
            }
        }, ct);
        return rows;
    }

    /// <summary>
    /// The rows of one minute read raw (<c>raw_minutes.minute</c>), for a <c>CROSS JOIN LATERAL</c>: one index range
    /// per minute. A plain join let the planner, for a selective filter (one host), pick a scan of every row of the
    /// host over the whole range instead — 3 s on 10M rows for one dirty minute, and the newest minutes are always
    /// dirty while traffic flows; a condition on date_trunc(date) would read the whole range too.
    /// </summary>
    internal const string RawMinuteRange = "access.date >= raw_minutes.minute AND access.date < raw_minutes.minute + interval '1 minute'";

    /// <summary>
    /// Minutes of [a, b) the trends cannot answer: marked dirty (not rolled up yet), and for a host the minutes
    /// whose host rows folded it into "(other)" (more than 100 busy hosts that minute).
    /// </summary>
    private static string RawMinutesSql(string dim, string keyParam, string a, string b, SqlParameters p)
    {
        var folded = dim == "host"
            ? $"""
              UNION
              SELECT o.at FROM {LogTrendSql.Minutes} o
              WHERE o.dim = 'host' AND o.key = {p.Add(LogTrendSql.Other, NpgsqlDbType.Text)} AND o.at >= {a} AND o.at < {b}
                AND NOT EXISTS (SELECT 1 FROM {LogTrendSql.Minutes} k WHERE k.dim = 'host' AND k.key = {keyParam} AND k.at = o.at)
              """
            : "";
        return $"""
            SELECT DISTINCT minute FROM access_rollup_dirty WHERE minute >= {a} AND minute < {b}
            {folded}
            """;
    }

    /// <summary>
    /// A percentile rule of backend time without groups whose query is all traffic or one host (the trends keep a
    /// backend-time sketch per host, not per status): the (dim, key) of its trend rows; null otherwise.
    /// </summary>
    internal static (string Dim, string Key)? TrendLatencyFor(AlertRuleSpec spec) =>
        spec.GroupBy is null && spec.Measure == AlertMeasure.Percentile && FieldColumn(spec.Field) == "backendtime"
        && ShapeOf(spec.Query) is { Status: null } q
            ? (q.Host is null ? "" : "host", q.Host ?? "")
            : null;

    /// <summary>Per minute of [from, to) (whole minutes), the backend-time sketch and its exact min and max.</summary>
    public sealed record MinuteSketch(DateTime Minute, int[] Keys, double[] Counts, double? Min, double? Max);

    /// <summary>
    /// Per-minute backend-time sketches (1 % relative error) from the minute trends, for a rule
    /// <see cref="TrendLatencyFor"/> accepts; null otherwise. Minutes the trends cannot answer are sketched from
    /// <c>access</c> in the same statement, the same way the rollup job does.
    /// </summary>
    internal async Task<List<MinuteSketch>?> TrendLatencyAsync(AlertRuleSpec spec, DateTime from, DateTime to, CancellationToken ct)
    {
        if (TrendLatencyFor(spec) is not var (dim, key))
        {
            return null;
        }
        var p = new SqlParameters();
        var filter = QueryCompiler.Compile(spec.Query, p);
        var a = p.Add(Plain(FloorMinute(from)), NpgsqlDbType.Timestamp);
        var b = p.Add(Plain(CeilingMinute(to)), NpgsqlDbType.Timestamp);
        var dimParam = p.Add(dim, NpgsqlDbType.Text);
        var keyParam = p.Add(key, NpgsqlDbType.Text);
        var sql = $"""
            WITH raw_minutes AS ({RawMinutesSql(dim, keyParam, a, b, p)}),
            raw AS (
                SELECT raw_minutes.minute AS m, a.k, a.c, a.tmin, a.tmax FROM raw_minutes CROSS JOIN LATERAL (
                    SELECT metric_sketch_key(backendtime) AS k, count(*)::float8 AS c, min(backendtime) AS tmin, max(backendtime) AS tmax
                    FROM access WHERE {RawMinuteRange} AND backendtime IS NOT NULL AND {filter}
                    GROUP BY 1) a)
            SELECT r.at, r.sketch_keys, r.sketch_counts, r.time_min, r.time_max FROM {LogTrendSql.Minutes} r
            WHERE r.dim = {dimParam} AND r.key = {keyParam} AND r.at >= {a} AND r.at < {b} AND r.at NOT IN (SELECT minute FROM raw_minutes)
              AND r.sketch_keys IS NOT NULL
            UNION ALL
            SELECT m, array_agg(k ORDER BY k), array_agg(c ORDER BY k), min(tmin), max(tmax) FROM raw GROUP BY m
            """;
        var rows = new List<MinuteSketch>();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                rows.Add(new MinuteSketch(DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc), r.GetFieldValue<int[]>(1), r.GetFieldValue<double[]>(2),
                    r.IsDBNull(3) ? null : r.GetDouble(3), r.IsDBNull(4) ? null : r.GetDouble(4)));
            }
        }, ct);
        return rows;
    }
}
