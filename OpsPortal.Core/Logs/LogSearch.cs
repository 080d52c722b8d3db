using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs;

/// <summary>
/// Search and statistics over the access table in the query language. Every query is bounded by a time
/// range (default: the last hour), so the planner can prune day partitions and use the date index.
/// Reads go to the log-read pool (<see cref="OpsDataSources.LogReads"/>): a streaming replica when one
/// is configured, with its own pool size and statement timeout either way.
/// </summary>
public sealed partial class LogSearch([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxLimit = 1_000;
    public const int DefaultLimit = 100;
    public const int MaxTop = 1_000;
    public const int DefaultTop = 10;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    // Time histograms over a week by minute are ~10k buckets; the cap stops a year-by-minute request
    // from building half a million rows.
    private const int MaxTimeBuckets = 50_000;

    internal const string Columns = """
        id, date, ip, hostname, username, method, path, protocol, status, size, referrer, useragent,
        clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme,
        source_id, remote_host, raw_request
        """;

    private static readonly Dictionary<string, string> TimeKeys = new()
    {
        ["minute"] = "date_trunc('minute', date)",
        ["hour"] = "date_trunc('hour', date)",
        ["day"] = "date_trunc('day', date)",
    };

    /// <summary>Names accepted for <c>by</c> besides any field name of the query language.</summary>
    public static IEnumerable<string> TimeBuckets => TimeKeys.Keys;

    // Newest-first search of a filtered query reads the range in slices, newest first, each this many
    // times wider than the last, and stops once the page is full. Inside today's partition no slice of a
    // path query crosses a segment boundary: each closed hour (and quarter of the last two hours) has its
    // own partial trigram index (PathIndexes), which the planner can only use for a range inside it, so a
    // rare word costs ~1 ms per hour there instead of reading every row (ADR-017).
    private static readonly TimeSpan FirstSlice = TimeSpan.FromMinutes(15);
    private const int SliceGrowth = 4;

    public async Task<LogPage> SearchAsync(
        string? query, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? after, CancellationToken ct)
    {
        var (start, end) = Range(from, to);
        var node = QueryParser.Parse(query);
        var unfiltered = QueryCompiler.Compile(node, new SqlParameters()) == "TRUE";
        (DateTime Date, long Id)? cursor = null;
        if (after is not null)
        {
            if (!LogSearchCursor.TryDecode(after, out var afterDate, out var afterId))
            {
                throw new ArgumentException("'after' is not a cursor returned by a previous page.", nameof(after));
            }
            cursor = (afterDate, afterId);
        }
        var take = Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit);

        // One row more than asked tells whether another page exists without a count.
        var rows = new List<LogRow>(Math.Min(take + 1, 128));
        var high = Plain(end);
        if (cursor is { } c && c.Date < high)
        {
            // Rows at the cursor's own instant with a smaller id are still to come: 1 µs, PostgreSQL's resolution.
            high = Plain(c.Date).AddTicks(10);
        }
        var width = unfiltered ? high - start : FirstSlice;
        // Only a path pattern gains from today's partial indexes; other filters keep the wider slices.
        DateTime? now = PathIndexes.CanServe(node) ? Plain(clock.GetUtcNow().UtcDateTime) : null;
        while (rows.Count <= take && high > start)
        {
            var low = unfiltered ? Plain(start) : SliceStart(high, width, Plain(start), now);
            await ReadSliceAsync(node, low, high, cursor, take + 1 - rows.Count, rows, ct);
            high = low;
            width = NextWidth(width);
        }
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            next = LogSearchCursor.Encode(rows[^1].Date, rows[^1].Id);
        }
        return new LogPage(rows, next);
    }

    /// <summary>Where the slice that ends at <paramref name="high"/> starts: <paramref name="width"/> back,
    /// not before <paramref name="start"/>, and — when <paramref name="now"/> is given — inside today not
    /// before the start of the index segment it ends in (PathIndexes.SegmentOf).</summary>
    internal static DateTime SliceStart(DateTime high, TimeSpan width, DateTime start, DateTime? now)
    {
        var low = width >= high - start ? start : high - width;
        if (now is not { } n || high <= n.Date)
        {
            return low;
        }
        // Rows stamped in the future (clock skew) share one slice with the current, unindexed quarter.
        var segment = PathIndexes.SegmentOf(high > n ? n : high.AddTicks(-1), n).Start;
        return high > n ? (segment > start ? segment : start) : (segment > low ? segment : low);
    }

    // Saturates: a day of hour-long slices takes more growth steps than a TimeSpan holds.
    internal static TimeSpan NextWidth(TimeSpan width) =>
        width.Ticks > TimeSpan.MaxValue.Ticks / SliceGrowth ? TimeSpan.MaxValue : width * SliceGrowth;

    private Task<int> ReadSliceAsync(
        QueryNode query, DateTime low, DateTime high, (DateTime Date, long Id)? cursor, int limit, List<LogRow> rows, CancellationToken ct)
    {
        var p = new SqlParameters();
        var where = $"date >= {p.Add(low, NpgsqlDbType.Timestamp)} AND date < {p.Add(high, NpgsqlDbType.Timestamp)}";
        var filter = QueryCompiler.Compile(query, p);
        if (filter != "TRUE")
        {
            where += $" AND {filter}";
        }
        if (cursor is { } c)
        {
            where += $" AND (date, id) < ({p.Add(c.Date, NpgsqlDbType.Timestamp)}, {p.Add(c.Id, NpgsqlDbType.Bigint)})";
        }
        var sql = $"SELECT {Columns} FROM access WHERE {where} ORDER BY date DESC, id DESC LIMIT {p.Add(limit, NpgsqlDbType.Integer)}";
        return ReadAsync(sql, p, async reader =>
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add(ReadRow(reader));
            }
            return rows.Count;
        }, ct);
    }

    public async Task<LogStats> StatsAsync(
        string? query, DateTimeOffset? from, DateTimeOffset? to, string? by, int? top, CancellationToken ct)
    {
        var p = new SqlParameters();
        var rows = Rows(query, from, to, p);
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
            var field = QueryFields.Find(unit) ?? throw new ArgumentException(
                $"Cannot group by '{by}'. Use minute, hour, day or a field: {string.Join(", ", QueryFields.All.Select(f => f.Name))}.", nameof(by));
            key = field.Kind == FieldKind.Address ? $"host({field.Column})" : field.Column;
            column = field.Column;
            order = "count DESC, key";
            limit = Math.Clamp(top ?? DefaultTop, 1, MaxTop);
        }
        if (RollupRangeFor(query, from, to) is { } rollup
            && await StatsFromRollupsAsync(rollup, unit, column, timeKey, limit, ct) is { } rolled)
        {
            return rolled;
        }
        // The window sum runs after GROUP BY and before LIMIT: the total of every group, not just the top ones.
        var sql = $"""
            SELECT {key} AS key, count(*) AS count, sum(count(*)) OVER () AS total
            FROM {rows}
            GROUP BY 1 ORDER BY {order} LIMIT {p.Add(limit, NpgsqlDbType.Integer)}
            """;

        return await ReadStatsAsync(sql, p, ct);
    }

    private (DateTime Start, DateTime End) Range(DateTimeOffset? from, DateTimeOffset? to)
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
    private string Rows(string? query, DateTimeOffset? from, DateTimeOffset? to, SqlParameters p)
    {
        var (start, end) = Range(from, to);
        var node = QueryParser.Parse(query);
        var filter = QueryCompiler.Compile(node, p);
        var low = Plain(start);
        var high = Plain(end);
        var now = Plain(clock.GetUtcNow().UtcDateTime);
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

    private static DateTime Plain(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified);

    /// <summary>
    /// Runs one statement and hands its reader to <paramref name="read"/>. JIT is off for it: the planner
    /// cannot estimate the range joins of the rollup statements (millions of rows guessed for hundreds) and
    /// spent ~0.7 s compiling a 60 ms query; on the access-table aggregates it gained nothing either
    /// (bench/RESULTS.md). <c>set_config(…, true)</c> lasts for the batch's implicit transaction only.
    /// </summary>
    private async Task<T> ReadAsync<T>(string sql, SqlParameters p, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
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

    internal static LogRow ReadRow(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
        Address(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7),
        Int(r, 8), Int(r, 9), Text(r, 10), Text(r, 11),
        r.IsDBNull(12) ? null : r.GetDouble(12), r.IsDBNull(13) ? null : r.GetDouble(13),
        Address(r, 14), Int(r, 15), Int(r, 16), Text(r, 17), Text(r, 18), Text(r, 19),
        Int(r, 20), Text(r, 21), Text(r, 22));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static int? Int(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);

    private static string? Address(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<IPAddress>(i).ToString();

    private static string KeyText(object value) => value switch
    {
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
