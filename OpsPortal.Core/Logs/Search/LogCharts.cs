using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>One bar of the histogram: requests in [Start, Start + bucket) by status class.</summary>
public sealed record HistogramBar(DateTime Start, long Status2xx, long Status3xx, long Status4xx, long Status5xx, long Other)
{
    public long Total => Status2xx + Status3xx + Status4xx + Status5xx + Other;
}

public sealed record LogHistogram(TimeSpan Bucket, IReadOnlyList<HistogramBar> Bars);

/// <summary>p50/p95/p99 in seconds; null where no matching row has the time.</summary>
public sealed record Percentiles(double? P50, double? P95, double? P99);

public sealed record LogLatency(long Count, Percentiles Backend, Percentiles Client);

/// <summary>What the Logs page draws: the histogram by status class and latency percentiles.</summary>
public sealed class LogCharts
{
    private readonly AccessQuery _access;
    private readonly LogRollupReader _rollups;

    public LogCharts([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource dataSource, TimeProvider clock)
    {
        _access = new AccessQuery(dataSource, clock);
        _rollups = new LogRollupReader(_access);
    }

    /// <summary>Off in tests that need the access table's own answer to compare with.</summary>
    internal bool UseRollups { get => _rollups.Enabled; init => _rollups.Enabled = value; }

    // Bucket sizes a person reads easily; the smallest one giving at most MaxBars bars wins.
    private static readonly TimeSpan[] BucketSizes =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3),
        TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    private const int MaxBars = 120;

    internal static TimeSpan BucketFor(TimeSpan range) =>
        BucketSizes.FirstOrDefault(b => range / b <= MaxBars, BucketSizes[^1]);

    public async Task<Result<LogHistogram>> HistogramAsync(string? query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (_access.Check(query, from, to) is { } refusal)
        {
            return refusal;
        }
        var p = new SqlParameters();
        var rows = _access.Rows(query, from, to, p);
        var bucket = BucketFor(to - from);
        var origin = AccessQuery.BucketOrigin(from);
        if (_rollups.RangeFor(query, from, to) is { } rollup && _rollups.HistogramSql(rollup, bucket, origin) is { } rolled)
        {
            (var rolledSql, p) = rolled;
            return await ReadHistogramAsync(rolledSql, p, bucket, origin, to, ct);
        }
        var sql = $"""
            SELECT date_bin({p.Add(bucket, NpgsqlDbType.Interval)}, date, {p.Add(AccessQuery.Plain(origin), NpgsqlDbType.Timestamp)}) AS bucket,
                   count(*) FILTER (WHERE status BETWEEN 200 AND 299),
                   count(*) FILTER (WHERE status BETWEEN 300 AND 399),
                   count(*) FILTER (WHERE status BETWEEN 400 AND 499),
                   count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                   count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599)
            FROM {rows}
            GROUP BY 1 ORDER BY 1
            """;
        return await ReadHistogramAsync(sql, p, bucket, origin, to, ct);
    }

    private async Task<LogHistogram> ReadHistogramAsync(
        string sql, SqlParameters p, TimeSpan bucket, DateTime origin, DateTimeOffset to, CancellationToken ct)
    {
        var found = await _access.ReadAsync(sql, p, async reader =>
        {
            var bars = new Dictionary<DateTime, HistogramBar>();
            while (await reader.ReadAsync(ct))
            {
                var start = DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);
                bars[start] = new HistogramBar(start, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            }
            return bars;
        }, ct);
        return new LogHistogram(bucket, AccessQuery.FillBuckets(found, origin, to, bucket, t => new HistogramBar(t, 0, 0, 0, 0, 0)));
    }

    public async Task<Result<LogLatency>> LatencyAsync(string? query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (_access.Check(query, from, to) is { } refusal)
        {
            return refusal;
        }
        var p = new SqlParameters();
        var rows = _access.Rows(query, from, to, p);
        var sql = $"""
            SELECT count(*),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY backendtime),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY clienttime)
            FROM {rows}
            """;
        return await _access.ReadAsync(sql, p, async reader =>
        {
            await reader.ReadAsync(ct);
            return new LogLatency(reader.GetInt64(0), ReadPercentiles(reader, 1), ReadPercentiles(reader, 2));
        }, ct);
    }

    private static Percentiles ReadPercentiles(NpgsqlDataReader reader, int column)
    {
        if (reader.IsDBNull(column))
        {
            return new Percentiles(null, null, null);
        }
        var values = reader.GetFieldValue<double?[]>(column);
        return new Percentiles(values[0], values[1], values[2]);
    }
}
