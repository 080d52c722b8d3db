using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>One bucket of traffic: requests, 5xx and p95 backend time (seconds; null without timed rows).</summary>
public sealed record TrafficPoint(DateTime Start, long Requests, long Errors5xx, double? P95)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors5xx / Requests;
}

public sealed record TrafficSeries(TimeSpan Bucket, IReadOnlyList<TrafficPoint> Points);

/// <summary>The traffic query other features use (the incident review's graphs); kept small and stable.</summary>
public sealed class LogTraffic([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    private readonly AccessQuery _access = new(dataSource, clock);

    /// <summary>Request rate, 5xx and p95 latency per bucket (the incident review's graphs), for rows matching <paramref name="query"/>.</summary>
    public async Task<Result<TrafficSeries>> TrafficAsync(string? query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (_access.Check(query, from, to) is { } refusal)
        {
            return refusal;
        }
        var p = new SqlParameters();
        var rows = _access.Rows(query, from, to, p);
        var bucket = LogCharts.BucketFor(to - from);
        var origin = AccessQuery.BucketOrigin(from);
        var sql = $"""
            SELECT date_bin({p.Add(bucket, NpgsqlDbType.Interval)}, date, {p.Add(AccessQuery.Plain(origin), NpgsqlDbType.Timestamp)}) AS bucket,
                   count(*), count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY backendtime)
            FROM {rows}
            GROUP BY 1 ORDER BY 1
            """;
        var found = await _access.ReadAsync(sql, p, async reader =>
        {
            var points = new Dictionary<DateTime, TrafficPoint>();
            while (await reader.ReadAsync(ct))
            {
                var start = DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);
                points[start] = new TrafficPoint(start, reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetDouble(3));
            }
            return points;
        }, ct);
        return new TrafficSeries(bucket, AccessQuery.FillBuckets(found, origin, to, bucket, t => new TrafficPoint(t, 0, 0, null)));
    }
}
