using System.Globalization;
using System.Net;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Storage;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// What every reader of the access table shares: the time range of a query (default: the last hour, so
/// the planner can prune day partitions and use the date index), the rows that match it as a FROM item,
/// and running one statement with JIT off.
/// </summary>
internal sealed class AccessQuery(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    internal const string Columns = """
        id, date, ip, hostname, username, method, path, protocol, status, size, referrer, useragent,
        clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme,
        source_id, remote_host, raw_request, query
        """;

    public DateTime Now => Plain(clock.GetUtcNow().UtcDateTime);

    /// <summary>Why <paramref name="query"/> over [from, to) cannot run, or null: checked before anything else reads them.</summary>
    public Refusal? Check(string? query, DateTimeOffset? from, DateTimeOffset? to)
    {
        var end = to ?? clock.GetUtcNow();
        if ((from ?? end - DefaultRange) >= end)
        {
            return Refusal.Invalid("'from' must be before 'to'.", "Invalid parameter");
        }
        return LogQuery.Parse(query).Refusal;
    }

    /// <summary>The range of a query <see cref="Check"/>ed before.</summary>
    public (DateTime Start, DateTime End) Range(DateTimeOffset? from, DateTimeOffset? to)
    {
        var end = (to ?? clock.GetUtcNow()).UtcDateTime;
        var start = (from ?? (to ?? clock.GetUtcNow()) - DefaultRange).UtcDateTime;
        if (start >= end)
        {
            throw new ArgumentException("'from' must be before 'to'.", nameof(from));
        }
        return (start, end);
    }

    /// <summary>
    /// The rows of the range that match the query, as a FROM item for an aggregate. When the query
    /// looks for text in the path and the range reaches into today, today is read segment by segment
    /// (UNION ALL) so that each segment's partial trigram index can answer its part (PathIndexes, ADR-017).
    /// </summary>
    public string Rows(string? query, DateTimeOffset? from, DateTimeOffset? to, SqlParameters p)
    {
        var (start, end) = Range(from, to);
        var node = QueryParser.Parse(query);
        var filter = QueryCompiler.Compile(node, p);
        var low = Plain(start);
        var high = Plain(end);
        var now = Now;
        if (high <= now.Date || !PathIndexes.CanServe(node))
        {
            return $"access WHERE {Part(low, high)}" + (filter == "TRUE" ? "" : $" AND {filter}");
        }
        var parts = new List<string>();
        var at = low;
        if (at < now.Date)
        {
            parts.Add(Part(at, now.Date));
            at = now.Date;
        }
        while (at < high)
        {
            // From the current quarter on there is no index: one part up to the end, even a future one.
            var next = at > now ? high : PathIndexes.SegmentOf(at, now).End;
            next = next < high ? next : high;
            parts.Add(Part(at, next));
            at = next;
        }
        return "(" + string.Join(" UNION ALL ", parts.Select(part => $"SELECT * FROM access WHERE {part} AND {filter}")) + ") AS access";

        string Part(DateTime a, DateTime b) =>
            $"date >= {p.Add(a, NpgsqlDbType.Timestamp)} AND date < {p.Add(b, NpgsqlDbType.Timestamp)}";
    }

    public static DateTime Plain(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    /// <summary>
    /// Runs one statement and hands its reader to <paramref name="read"/>. JIT is off for it: the planner
    /// cannot estimate the range joins of the rollup statements (millions of rows guessed for hundreds) and
    /// spent ~0.7 s compiling a 60 ms query; on the access-table aggregates it gained nothing either
    /// (bench/RESULTS.md). <c>set_config(…, true)</c> lasts for the batch's implicit transaction only.
    /// </summary>
    public async Task<T> ReadAsync<T>(string sql, SqlParameters p, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.Timeout = 30;
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        // The text comes from constant fragments, whitelisted column names and $n placeholders
        // (QueryCompiler); every value of the query is in p.
#pragma warning disable CA2100
        var command = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
        p.CopyTo(command.Parameters);
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await read(reader);
    }

    /// <summary>Reads (key, count, total) rows into <see cref="LogStats"/>.</summary>
    public Task<LogStats> ReadStatsAsync(string sql, SqlParameters p, CancellationToken ct) =>
        ReadAsync(sql, p, async reader =>
        {
            var buckets = new List<LogBucket>();
            long total = 0;
            while (await reader.ReadAsync(ct))
            {
                buckets.Add(new LogBucket(reader.IsDBNull(0) ? null : KeyText(reader.GetValue(0)), reader.GetInt64(1)));
                total = (long)reader.GetDecimal(2);
            }
            return new LogStats(total, buckets);
        }, ct);

    internal static LogRow ReadRow(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
        Address(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7),
        Int(r, 8), Int(r, 9), Text(r, 10), Text(r, 11),
        r.IsDBNull(12) ? null : r.GetDouble(12), r.IsDBNull(13) ? null : r.GetDouble(13),
        Address(r, 14), Int(r, 15), Int(r, 16), Text(r, 17), Text(r, 18), Text(r, 19),
        Int(r, 20), Text(r, 21), Text(r, 22), Text(r, 23));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static int? Int(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);

    private static string? Address(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<IPAddress>(i).ToString();

    private static string KeyText(object value) => value switch
    {
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Whole seconds: PostgreSQL keeps microseconds, .NET ticks are finer, and buckets are matched by start time.</summary>
    public static DateTime BucketOrigin(DateTimeOffset from) =>
        new(from.UtcDateTime.Ticks - from.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    /// <summary>Empty buckets are zeros, not gaps: a quiet minute is information.</summary>
    public static List<T> FillBuckets<T>(Dictionary<DateTime, T> found, DateTime origin, DateTimeOffset to, TimeSpan bucket, Func<DateTime, T> empty)
    {
        var list = new List<T>();
        for (var t = origin; t < to.UtcDateTime; t += bucket)
        {
            list.Add(found.TryGetValue(t, out var value) ? value : empty(t));
        }
        return list;
    }
}
