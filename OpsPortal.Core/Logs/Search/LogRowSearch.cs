using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Storage;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// Rows of the access table that match a query, newest first, a page at a time (keyset cursor). Every
/// query is bounded by a time range (default: the last hour).
/// </summary>
public sealed class LogRowSearch([FromKeyedServices(OpsDataSources.LogReads)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxLimit = 1_000;
    public const int DefaultLimit = 100;

    private readonly AccessQuery _access = new(dataSource, clock);

    // Newest-first search of a filtered query reads the range in slices, newest first, each this many
    // times wider than the last, and stops once the page is full. Inside today's partition no slice of a
    // path query crosses a segment boundary: each closed hour (and quarter of the last two hours) has its
    // own partial trigram index (PathIndexes), which the planner can only use for a range inside it, so a
    // rare word costs ~1 ms per hour there instead of reading every row (ADR-017).
    private static readonly TimeSpan FirstSlice = TimeSpan.FromMinutes(15);
    private const int SliceGrowth = 4;

    public async Task<Result<LogPage>> SearchAsync(
        string? query, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? after, CancellationToken ct)
    {
        var rows = new List<LogRow>(Math.Min(Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit), 128));
        return (await ScanAsync(query, from, to, limit, after, row => rows.Add(row.ToRow()), ct))
            .TryGet(out var next, out var refusal) ? new LogPage(rows, next) : refusal;
    }

    /// <summary>Why a search with these arguments would be refused, or null: for a caller that must answer before it reads.</summary>
    public Refusal? Check(string? query, DateTimeOffset? from, DateTimeOffset? to, string? after) =>
        _access.Check(query, from, to)
        ?? (after is not null && !LogSearchCursor.TryDecode(after, out _, out _)
            ? Refusal.Invalid("'after' is not a cursor returned by a previous page.", "Invalid parameter") : null);

    /// <summary>
    /// The page <see cref="SearchAsync"/> returns, handed row by row to <paramref name="row"/> while the reader
    /// holds it (nothing is kept): the API writes each row straight into its answer (ADR-046). Returns the
    /// cursor of the following page, or null when this page is the last.
    /// </summary>
    public async Task<Result<string?>> ScanAsync(
        string? query, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? after, Action<LogRowView> row, CancellationToken ct)
    {
        if (Check(query, from, to, after) is { } refusal)
        {
            return refusal;
        }
        var (start, end) = _access.Range(from, to);
        var node = QueryParser.Parse(query);
        var unfiltered = QueryCompiler.Compile(node, new SqlParameters()) == "TRUE";
        (DateTime Date, long Id)? cursor = null;
        if (after is not null && LogSearchCursor.TryDecode(after, out var afterDate, out var afterId))
        {
            cursor = (afterDate, afterId);
        }
        var page = new PageState(Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit), row);

        var high = Plain(end);
        if (cursor is { } c && c.Date < high)
        {
            // Rows at the cursor's own instant with a smaller id are still to come: 1 µs, PostgreSQL's resolution.
            high = Plain(c.Date).AddTicks(10);
        }
        var width = unfiltered ? high - start : FirstSlice;
        // Only a path pattern gains from today's partial indexes; other filters keep the wider slices.
        DateTime? now = PathIndexes.CanServe(node) ? _access.Now : null;
        while (!page.More && high > start)
        {
            var low = unfiltered ? Plain(start) : SliceStart(high, width, Plain(start), now);
            await ReadSliceAsync(node, low, high, cursor, page, ct);
            high = low;
            width = NextWidth(width);
        }
        return page.More ? LogSearchCursor.Encode(page.LastDate, page.LastId) : null;
    }

    /// <summary>Rows handed out so far; one row more than the page holds tells that another page exists, without a count.</summary>
    private sealed class PageState(int take, Action<LogRowView> row)
    {
        public int Emitted { get; private set; }
        public bool More { get; private set; }
        public DateTime LastDate { get; private set; }
        public long LastId { get; private set; }
        public int Wanted => take + 1 - Emitted;

        public void Offer(NpgsqlDataReader reader)
        {
            if (Emitted == take)
            {
                More = true;
                return;
            }
            var view = new LogRowView(reader);
            row(view);
            Emitted++;
            LastDate = view.Date;
            LastId = view.Id;
        }
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
        QueryNode query, DateTime low, DateTime high, (DateTime Date, long Id)? cursor, PageState page, CancellationToken ct)
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
        var sql = $"SELECT {AccessQuery.Columns} FROM access WHERE {where} ORDER BY date DESC, id DESC LIMIT {p.Add(page.Wanted, NpgsqlDbType.Integer)}";
        return _access.ReadAsync(sql, p, async reader =>
        {
            while (await reader.ReadAsync(ct))
            {
                page.Offer(reader);
            }
            return page.Emitted;
        }, ct);
    }

    private static DateTime Plain(DateTime utc) => AccessQuery.Plain(utc);
}
