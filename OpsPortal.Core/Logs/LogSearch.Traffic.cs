using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs;

/// <summary>One bucket of traffic: requests, 5xx and p95 backend time (seconds; null without timed rows).</summary>
public sealed record TrafficPoint(DateTime Start, long Requests, long Errors5xx, double? P95)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors5xx / Requests;
}

public sealed record TrafficSeries(TimeSpan Bucket, IReadOnlyList<TrafficPoint> Points);

public sealed partial class LogSearch
{
    /// <summary>Request rate, 5xx and p95 latency per bucket (the incident review's graphs), for rows matching <paramref name="query"/>.</summary>
    public async Task<TrafficSeries> TrafficAsync(string? query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var p = new SqlParameters();
        var rows = Rows(query, from, to, p);
        var bucket = BucketFor(to - from);
        var origin = BucketOrigin(from);
        var sql = $"""
            SELECT date_bin({p.Add(bucket, NpgsqlDbType.Interval)}, date, {p.Add(Plain(origin), NpgsqlDbType.Timestamp)}) AS bucket,
                   count(*), count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY backendtime)
            FROM {rows}
            GROUP BY 1 ORDER BY 1
            """;
        var found = await ReadAsync(sql, p, async reader =>
        {
            var points = new Dictionary<DateTime, TrafficPoint>();
            while (await reader.ReadAsync(ct))
            {
                var start = DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);
                points[start] = new TrafficPoint(start, reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetDouble(3));
            }
            return points;
        }, ct);
        return new TrafficSeries(bucket, FillBuckets(found, origin, to, bucket, t => new TrafficPoint(t, 0, 0, null)));
    }

    /// <summary>Whole seconds: PostgreSQL keeps microseconds, .NET ticks are finer, and buckets are matched by start time.</summary>
    private static DateTime BucketOrigin(DateTimeOffset from) =>
        new(from.UtcDateTime.Ticks - from.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    /// <summary>Empty buckets are zeros, not gaps: a quiet minute is information.</summary>
    private static List<T> FillBuckets<T>(Dictionary<DateTime, T> found, DateTime origin, DateTimeOffset to, TimeSpan bucket, Func<DateTime, T> empty)
    {
        var list = new List<T>();
        for (var t = origin; t < to.UtcDateTime; t += bucket)
        {
            list.Add(found.TryGetValue(t, out var value) ? value : empty(t));
        }
        return list;
    }
}
