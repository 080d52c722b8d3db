using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// Counts of matching rows grouped by a field or a time bucket (<c>stats by …</c>). Unfiltered queries
/// over an hour or more are answered from the per-minute rollups where they can be (LogRollupReader,
/// docs/decisions/ADR-009), everything else from the access table.
/// </summary>
public sealed class LogStatistics
{
    public const int MaxTop = 1_000;
    public const int DefaultTop = 10;

    // Time histograms over a week by minute are ~10k buckets; the cap stops a year-by-minute request
    // from building half a million rows.
    private const int MaxTimeBuckets = 50_000;

    private static readonly Dictionary<string, string> TimeKeys = new()
    {
        ["minute"] = "date_trunc('minute', date)",
        ["hour"] = "date_trunc('hour', date)",
        ["day"] = "date_trunc('day', date)",
    };

    private readonly AccessQuery _access;
    private readonly LogRollupReader _rollups;

    public LogStatistics([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource dataSource, TimeProvider clock)
    {
        _access = new AccessQuery(dataSource, clock);
        _rollups = new LogRollupReader(_access);
    }

    /// <summary>Off in tests that need the access table's own answer to compare with.</summary>
    internal bool UseRollups { get => _rollups.Enabled; init => _rollups.Enabled = value; }

    /// <summary>Names accepted for <c>by</c> besides any field name of the query language.</summary>
    public static IEnumerable<string> TimeBuckets => TimeKeys.Keys;

    public async Task<Result<LogStats>> StatsAsync(
        string? query, DateTimeOffset? from, DateTimeOffset? to, string? by, int? top, CancellationToken ct)
    {
        if (_access.Check(query, from, to) is { } refusal)
        {
            return refusal;
        }
        var p = new SqlParameters();
        var rows = _access.Rows(query, from, to, p);
        var unit = string.IsNullOrWhiteSpace(by) ? "status" : by.Trim().ToLowerInvariant();
        string key, order, column;
        int limit;
        if (TimeKeys.TryGetValue(unit, out var timeKey))
        {
            key = timeKey;
            column = "date";
            order = "key";
            limit = MaxTimeBuckets;
        }
        else
        {
            if (QueryFields.Find(unit) is not { } field)
            {
                return Refusal.Invalid($"Cannot group by '{by}'. Use minute, hour, day or a field: {string.Join(", ", QueryFields.All.Select(f => f.Name))}.",
                    "Invalid parameter");
            }
            key = field.Kind == FieldKind.Address ? $"host({field.Column})" : field.Column;
            column = field.Column;
            order = "count DESC, key";
            limit = Math.Clamp(top ?? DefaultTop, 1, MaxTop);
        }
        if (_rollups.RangeFor(query, from, to) is { } rollup
            && await _rollups.StatsAsync(rollup, unit, column, timeKey, limit, ct) is { } rolled)
        {
            return rolled;
        }
        // The window sum runs after GROUP BY and before LIMIT: the total of every group, not just the top ones.
        var sql = $"""
            SELECT {key} AS key, count(*) AS count, sum(count(*)) OVER () AS total
            FROM {rows}
            GROUP BY 1 ORDER BY {order} LIMIT {p.Add(limit, NpgsqlDbType.Integer)}
            """;

        return await _access.ReadStatsAsync(sql, p, ct);
    }
}
