using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Alerts;

public sealed partial class AlertMeasurer
{
    /// <summary>The most rules one window statement measures (two columns each, well under PostgreSQL's 1,664).</summary>
    public const int MaxRulesPerStatement = 200;

    /// <summary>
    /// The most grouped rules one statement measures: its result is a row per group (up to every host, path or
    /// client of the window) with two columns per rule, so fewer rules than <see cref="MaxRulesPerStatement"/>.
    /// </summary>
    public const int MaxGroupedRulesPerStatement = 50;

    /// <summary>Rules one shared statement can measure: threshold rules without groups (count, rate, ratio, percentile).</summary>
    internal static bool SharesWindow(AlertRule rule) =>
        rule.Kind == AlertRuleKind.Threshold && rule.Spec.GroupBy is null;

    /// <summary>
    /// Every spec's value over the same window [from, to) in one statement: one range scan of <c>access</c>, one
    /// pair of filtered aggregates per spec — the same numbers <see cref="MeasureAsync"/> gives each spec alone
    /// (matched within the denominator, the denominator, or a percentile and its line count). A live window is a
    /// few minutes of rows, so one scan beats the rollups' three-part frame here. The specs' queries must compile
    /// (the caller measures one that does not alone, which makes it UNKNOWN); a statement the database refuses
    /// throws, and the caller measures its rules one by one.
    /// </summary>
    internal async Task<List<Measurement>> MeasureWindowAsync(IReadOnlyList<AlertRuleSpec> specs, DateTime from, DateTime to, CancellationToken ct)
    {
        var p = new SqlParameters();
        var columns = WindowColumns(specs, p);
        var sql = $"""
            SELECT {string.Join(",\n       ", columns)}
            FROM access WHERE date >= {p.Add(Plain(from), NpgsqlDbType.Timestamp)} AND date < {p.Add(Plain(to), NpgsqlDbType.Timestamp)}
            """;
        var minutes = (to - from).TotalMinutes;
        var list = new List<Measurement>(specs.Count);
        await ReadAsync(sql, p, async r =>
        {
            await r.ReadAsync(ct);
            for (var i = 0; i < specs.Count; i++)
            {
                var first = r.IsDBNull(2 * i) ? (double?)null : r.GetDouble(2 * i);
                var second = r.GetInt64(2 * i + 1);
                list.Add(specs[i].Measure == AlertMeasure.Percentile
                    ? new Measurement("", first, second)
                    : new Measurement("", ValueOf(specs[i].Measure, (long)(first ?? 0), second, minutes), (long)(first ?? 0)));
            }
        }, ct);
        return list;
    }

    /// <summary>Grouped threshold rules one shared statement can measure: those of one window and one group field.</summary>
    internal static bool SharesGroupedWindow(AlertRule rule) =>
        rule.Kind == AlertRuleKind.Threshold && rule.Spec.GroupBy is { } g && GroupColumns.ContainsKey(g);

    /// <summary>
    /// Every spec's groups over the same window [from, to), all grouped by <paramref name="groupBy"/>, in one
    /// statement: one range scan of <c>access</c> grouped by the field, the pair of filtered aggregates per spec of
    /// <see cref="MeasureWindowAsync"/> per group. Per spec the same groups and values <see cref="MeasureAsync"/>
    /// gives it alone: the groups with lines, the busiest <see cref="MaxGroups"/> (most matched lines; for a
    /// percentile the highest values), worst first.
    /// </summary>
    internal async Task<List<List<Measurement>>> MeasureGroupedWindowAsync(IReadOnlyList<AlertRuleSpec> specs, string groupBy, DateTime from, DateTime to,
        CancellationToken ct)
    {
        var p = new SqlParameters();
        var columns = WindowColumns(specs, p);
        var sql = $"""
            SELECT {GroupColumns[groupBy]} AS key, {string.Join(",\n       ", columns)}
            FROM access WHERE date >= {p.Add(Plain(from), NpgsqlDbType.Timestamp)} AND date < {p.Add(Plain(to), NpgsqlDbType.Timestamp)}
            GROUP BY 1
            """;
        var minutes = (to - from).TotalMinutes;
        var found = specs.Select(_ => new List<(string Key, double? First, long Second)>()).ToList();
        await ReadAsync(sql, p, async r =>
        {
            while (await r.ReadAsync(ct))
            {
                var key = r.GetString(0);
                for (var i = 0; i < specs.Count; i++)
                {
                    var second = r.GetInt64(2 * i + 2);
                    if (second > 0)
                    {
                        found[i].Add((key, r.IsDBNull(2 * i + 1) ? null : r.GetDouble(2 * i + 1), second));
                    }
                }
            }
        }, ct);
        return [.. specs.Select((spec, i) => spec.Measure == AlertMeasure.Percentile
            ? [.. found[i].OrderByDescending(g => g.First).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxGroups)
                .Select(g => new Measurement(g.Key, g.First, g.Second))]
            : found[i].OrderByDescending(g => g.First).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxGroups)
                .Select(g => new Measurement(g.Key, ValueOf(spec.Measure, (long)(g.First ?? 0), g.Second, minutes), (long)(g.First ?? 0)))
                .OrderByDescending(m => m.Value ?? double.MinValue).ToList())];
    }

    /// <summary>Per spec two aggregates: matched within the denominator and the denominator, or a percentile and its line count.</summary>
    private static List<string> WindowColumns(IReadOnlyList<AlertRuleSpec> specs, SqlParameters p)
    {
        var columns = new List<string>(specs.Count * 2);
        foreach (var spec in specs)
        {
            var matched = QueryCompiler.Compile(spec.Query, p);
            if (spec.Measure == AlertMeasure.Percentile)
            {
                var field = FieldColumn(spec.Field);
                var fraction = p.Add(spec.Percentile / 100, NpgsqlDbType.Double);
                var where = $"{field} IS NOT NULL AND ({matched})";
                columns.Add($"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {field}) FILTER (WHERE {where})::float8");
                columns.Add($"count(*) FILTER (WHERE {where})");
            }
            else
            {
                var total = QueryCompiler.Compile(spec.Denominator, p);
                columns.Add($"count(*) FILTER (WHERE ({total}) AND ({matched}))::float8");
                columns.Add($"count(*) FILTER (WHERE {total})");
            }
        }
        return columns;
    }
}
