using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Alerts;

/// <summary>A measured value of one group ("" without groups); null when there is nothing to measure (no lines, nothing to divide by).</summary>
internal sealed record Measurement(string GroupKey, double? Value, long Lines);

/// <summary>Per-minute aggregates of one group, which sum over any window of whole minutes (backtests, baselines).</summary>
internal sealed record MinuteCounts(DateTime Minute, string GroupKey, long Matched, long Total);

/// <summary>
/// Measures log rules on the access table. Values come from constant SQL, whitelisted columns and the query
/// compiler's parameters only. Counts over whole minutes read the per-minute rollups (ADR-009) when the rule
/// is one they hold (no groups, and a query that is empty or one status class); everything else, and the
/// part-minutes at the ends and minutes not yet rolled up, read <c>access</c>, in one statement.
/// </summary>
public sealed partial class AlertMeasurer(NpgsqlDataSource dataSource)
{
    public const int MaxGroups = 100;

    private static readonly Dictionary<string, string> GroupColumns = new(StringComparer.Ordinal)
    {
        ["host"] = "COALESCE(hostname, '')",
        ["path"] = "COALESCE(path, '')",
        ["ip"] = "COALESCE(host(ip), '')",
    };

    private static readonly Dictionary<string, string> RollupColumns = new(StringComparer.Ordinal)
    {
        [""] = "requests",
        ["status:2xx"] = "status_2xx",
        ["status:3xx"] = "status_3xx",
        ["status:4xx"] = "status_4xx",
        ["status:5xx"] = "status_5xx",
    };

    public static IReadOnlyCollection<string> GroupFields => GroupColumns.Keys;

    /// <summary>The rule's value per group over [from, to), the worst <see cref="MaxGroups"/> groups.</summary>
    internal async Task<List<Measurement>> MeasureAsync(AlertRuleSpec spec, DateTime from, DateTime to, CancellationToken ct)
    {
        if (spec.Measure == AlertMeasure.Percentile)
        {
            return await PercentileAsync(spec, from, to, ct);
        }
        var minutes = (to - from).TotalMinutes;
        var counts = await CountsAsync(spec, from, to, perMinute: false, ct);
        var list = counts.Select(c => new Measurement(c.GroupKey, ValueOf(spec.Measure, c.Matched, c.Total, minutes), c.Matched)).ToList();
        if (spec.GroupBy is null && list.Count == 0)
        {
            list.Add(new Measurement("", ValueOf(spec.Measure, 0, 0, minutes), 0));
        }
        return [.. list.OrderByDescending(m => m.Value ?? double.MinValue).Take(MaxGroups)];
    }

    internal static double? ValueOf(AlertMeasure measure, long matched, long total, double minutes) => measure switch
    {
        AlertMeasure.Count => matched,
        AlertMeasure.Rate => minutes > 0 ? matched / minutes : null,
        AlertMeasure.Ratio => total > 0 ? 100.0 * matched / total : null,
        _ => null,
    };

    /// <summary>
    /// Matched (the query, within the denominator) and total (the denominator) lines over [from, to), per group
    /// and — with <paramref name="perMinute"/> — per minute.
    /// </summary>
    internal async Task<List<MinuteCounts>> CountsAsync(AlertRuleSpec spec, DateTime from, DateTime to, bool perMinute, CancellationToken ct)
    {
        var p = new SqlParameters();
        var matched = QueryCompiler.Compile(spec.Query, p);
        var total = QueryCompiler.Compile(spec.Denominator, p);
        var key = spec.GroupBy is { } g ? GroupColumns[g] : "''";
        var minute = perMinute ? "date_trunc('minute', date)" : "NULL::timestamp";
        string sql;
        if (RollupColumnFor(spec) is { } column)
        {
            sql = RollupCountsSql(column, matched, from, to, perMinute, p);
        }
        else
        {
            var range = $"date >= {p.Add(Plain(from), NpgsqlDbType.Timestamp)} AND date < {p.Add(Plain(to), NpgsqlDbType.Timestamp)}";
            sql = $"""
                SELECT {minute} AS minute, {key} AS key, count(*) FILTER (WHERE {matched}) AS matched, count(*) AS total
                FROM access WHERE {range} AND {total}
                GROUP BY 1, 2
                """;
            if (spec.GroupBy is not null)
            {
                // The busiest groups of the range: an instance per group, at most MaxGroups. Ties byte-wise ("C"), as
                // MeasureGroupedWindowAsync breaks them, so a rule picks the same groups alone and in a shared statement.
                sql = $"""
                    WITH c AS ({sql}), top AS (SELECT key FROM c GROUP BY key ORDER BY sum(matched) DESC, key COLLATE "C" LIMIT {MaxGroups})
                    SELECT c.* FROM c JOIN top USING (key)
                    """;
            }
        }
        var rows = new List<MinuteCounts>();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                rows.Add(new MinuteCounts(r.IsDBNull(0) ? default : DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc),
                    r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
            }
        }, ct);
        return rows;
    }

    /// <summary>Rules the rollups can answer: no groups, no denominator query, and an empty query or one status class.</summary>
    internal static string? RollupColumnFor(AlertRuleSpec spec) =>
        spec.GroupBy is null && string.IsNullOrWhiteSpace(spec.Denominator) && spec.Measure != AlertMeasure.Percentile
        && RollupColumns.TryGetValue((spec.Query ?? "").Trim().ToLowerInvariant(), out var c) ? c : null;

    // Same frame as LogSearch's rollup statements: whole, clean minutes from access_rollup_minute; the ends and
    // minutes marked dirty from access. One statement, one snapshot, so a concurrent rollup cannot double count.
    private static string RollupCountsSql(string column, string matched, DateTime from, DateTime to, bool perMinute, SqlParameters p)
    {
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
        var minute = perMinute ? "m" : "NULL::timestamp";
        return $"""
            WITH raw_minutes AS (SELECT DISTINCT minute FROM access_rollup_dirty WHERE minute >= {a} AND minute < {b}),
            parts AS (
                SELECT r.minute AS m, r.{column} AS matched, r.requests AS total FROM access_rollup_minute r
                WHERE r.minute >= {a} AND r.minute < {b} AND r.minute NOT IN (SELECT minute FROM raw_minutes)
                UNION ALL
                SELECT date_trunc('minute', date), count(*) FILTER (WHERE {matched}), count(*) FROM access
                WHERE (date >= {f} AND date < {a}) OR (date >= {b} AND date < {t})
                GROUP BY 1
                UNION ALL
                SELECT raw_minutes.minute, a.matched, a.total FROM raw_minutes CROSS JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE {matched}) AS matched, count(*) AS total FROM access
                    WHERE {RawMinuteRange} HAVING count(*) > 0) a)
            SELECT {minute} AS minute, '' AS key, sum(matched)::bigint, sum(total)::bigint FROM parts GROUP BY 1 HAVING count(*) > 0
            """;
    }

    private async Task<List<Measurement>> PercentileAsync(AlertRuleSpec spec, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new SqlParameters();
        var filter = QueryCompiler.Compile(spec.Query, p);
        var field = FieldColumn(spec.Field);
        var key = spec.GroupBy is { } g ? GroupColumns[g] : "''";
        var fraction = p.Add(spec.Percentile / 100, NpgsqlDbType.Double);
        var sql = $"""
            SELECT {key} AS key, percentile_cont({fraction}) WITHIN GROUP (ORDER BY {field}) AS value, count(*) AS lines
            FROM access
            WHERE date >= {p.Add(Plain(from), NpgsqlDbType.Timestamp)} AND date < {p.Add(Plain(to), NpgsqlDbType.Timestamp)}
              AND {field} IS NOT NULL AND {filter}
            GROUP BY 1 ORDER BY 2 DESC, {key} COLLATE "C" LIMIT {MaxGroups}
            """;
        var list = new List<Measurement>();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                list.Add(new Measurement(r.GetString(0), r.IsDBNull(1) ? null : r.GetDouble(1), r.GetInt64(2)));
            }
        }, ct);
        if (spec.GroupBy is null && list.Count == 0)
        {
            list.Add(new Measurement("", null, 0));
        }
        return list;
    }

    /// <summary>
    /// Per minute and group, a histogram of the latency field in buckets 5 % wide (bucket b holds values up to
    /// 1.05^b ms): a window's percentile from summed minutes is then within 5 % of the exact one.
    /// </summary>
    internal async Task<List<(DateTime Minute, string Key, int Bucket, long Count)>> LatencyHistogramAsync(
        AlertRuleSpec spec, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new SqlParameters();
        var filter = QueryCompiler.Compile(spec.Query, p);
        var field = FieldColumn(spec.Field);
        var key = spec.GroupBy is { } g ? GroupColumns[g] : "''";
        var sql = $"""
            SELECT date_trunc('minute', date), {key}, ceil(ln(greatest({field} * 1000, 0.001)) / ln(1.05))::int, count(*)
            FROM access
            WHERE date >= {p.Add(Plain(from), NpgsqlDbType.Timestamp)} AND date < {p.Add(Plain(to), NpgsqlDbType.Timestamp)}
              AND {field} IS NOT NULL AND {filter}
            GROUP BY 1, 2, 3
            """;
        var rows = new List<(DateTime, string, int, long)>();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                rows.Add((DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc), r.GetString(1), r.GetInt32(2), r.GetInt64(3)));
            }
        }, ct);
        return rows;
    }

    /// <summary>The upper edge of a histogram bucket, in seconds.</summary>
    internal static double BucketSeconds(int bucket) => Math.Pow(1.05, bucket) / 1000;

    internal static string FieldColumn(string? field) => field?.Trim().ToLowerInvariant() switch
    {
        "clienttime" or "rt" => "clienttime",
        _ => "backendtime",
    };

    private async Task ReadAsync(string sql, SqlParameters p, Func<NpgsqlDataReader, Task> read, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.Timeout = 30;
        // JIT compiles for longer than these statements run (ADR-009).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
#pragma warning disable CA2100 // Constant fragments, whitelisted columns and $n placeholders only; every value is in p.
        var command = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
        p.CopyTo(command.Parameters);
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await read(reader);
    }

    internal static DateTime Plain(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    internal static DateTime FloorMinute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    internal static DateTime CeilingMinute(DateTime t) => t.Ticks % TimeSpan.TicksPerMinute == 0 ? t : FloorMinute(t).AddMinutes(1);

    internal static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
