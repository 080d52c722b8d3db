using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>One bucket of traffic as deploy verification samples it.</summary>
/// <param name="Mismatches">Requests with a backend whose <c>backendstatus</c> differs from <c>status</c> (or that got no backend status at all).</param>
public sealed record TrafficBucket(DateTime Start, long Requests, long Errors, long Mismatches, double? P95, double? P99);

/// <summary>The traffic of one host (null: every matching request) over a range: totals, exact percentiles, and the buckets.</summary>
public sealed record HostTraffic(string? Host, long Requests, long Errors, long Mismatches, double? P95, double? P99, IReadOnlyList<TrafficBucket> Buckets);

/// <summary>
/// Traffic of a log query cut into buckets, overall and per host, in one statement (GROUPING SETS):
/// what deploy verification compares before and after a switch. Every bucket of the range is present;
/// a bucket without requests is zeros, since traffic that stops is information.
/// </summary>
public sealed class LogBuckets(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private readonly AccessQuery _access = new(dataSource, clock);

    public async Task<IReadOnlyList<HostTraffic>> ByHostAsync(string query, DateTime from, DateTime to, TimeSpan bucket, int maxHosts, CancellationToken ct)
    {
        var p = new SqlParameters();
        var filter = QueryCompiler.Compile(query, p);
        var start = AccessQuery.Plain(from);
        var sql = $"""
            SELECT bucket, hostname, GROUPING(bucket) = 1, GROUPING(hostname) = 1, count(*),
                   count(*) FILTER (WHERE status BETWEEN 500 AND 599),
                   count(*) FILTER (WHERE (backendstatus IS NOT NULL OR backendip IS NOT NULL) AND backendstatus IS DISTINCT FROM status),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY backendtime),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY backendtime)
            FROM (SELECT date_bin({p.Add(bucket, NpgsqlDbType.Interval)}, date, {p.Add(start, NpgsqlDbType.Timestamp)}) AS bucket,
                         coalesce(hostname, '') AS hostname, status, backendstatus, backendip, backendtime
                  FROM access
                  WHERE date >= {p.Add(start, NpgsqlDbType.Timestamp)} AND date < {p.Add(AccessQuery.Plain(to), NpgsqlDbType.Timestamp)}
                    AND ({filter})) r
            GROUP BY GROUPING SETS ((bucket, hostname), (bucket), (hostname), ())
            """;
        var totals = new Dictionary<string, (long, long, long, double?, double?)>(StringComparer.Ordinal);
        var buckets = new Dictionary<string, Dictionary<DateTime, TrafficBucket>>(StringComparer.Ordinal);
        const string All = "\u0000all";
        await _access.ReadAsync(sql, p, async reader =>
        {
            while (await reader.ReadAsync(ct))
            {
                var host = reader.GetBoolean(3) ? All : reader.GetString(1);
                var values = (reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), Double(reader, 7), Double(reader, 8));
                if (reader.GetBoolean(2))
                {
                    totals[host] = values;
                    continue;
                }
                var at = DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);
                (buckets.TryGetValue(host, out var map) ? map : buckets[host] = [])[at] =
                    new TrafficBucket(at, values.Item1, values.Item2, values.Item3, values.Item4, values.Item5);
            }
            return 0;
        }, ct);
        var hosts = totals.Keys.Where(h => h != All).OrderByDescending(h => totals[h].Item1).ThenBy(h => h, StringComparer.Ordinal).Take(maxHosts);
        return [.. new[] { All }.Concat(hosts).Select(h => Traffic(h == All ? null : h, totals.GetValueOrDefault(h), buckets.GetValueOrDefault(h), from, to, bucket))];
    }

    private static HostTraffic Traffic(string? host, (long Requests, long Errors, long Mismatches, double? P95, double? P99) total,
        Dictionary<DateTime, TrafficBucket>? found, DateTime from, DateTime to, TimeSpan bucket)
    {
        var list = new List<TrafficBucket>();
        for (var t = DateTime.SpecifyKind(from, DateTimeKind.Utc); t < to; t += bucket)
        {
            list.Add(found is not null && found.TryGetValue(t, out var b) ? b : new TrafficBucket(t, 0, 0, 0, null, null));
        }
        return new HostTraffic(host, total.Requests, total.Errors, total.Mismatches, total.P95, total.P99, list);
    }

    private static double? Double(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
}
