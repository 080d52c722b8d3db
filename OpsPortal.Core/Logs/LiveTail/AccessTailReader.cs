using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Core.Logs.LiveTail;

/// <summary>
/// New rows for one live tail: those of one read, oldest first. <see cref="Skipped"/> counts matching
/// rows of the same read that were not sent because there were more than <see cref="AccessTailReader.MaxRowsPerDelivery"/>.
/// </summary>
public sealed record LiveTailBatch(IReadOnlyList<LogRow> Rows, int Skipped);

/// <summary>
/// The one reader of new access rows per app process: LISTENs for the notices that
/// <see cref="AccessWriter"/> sends on commit (from any process), reads the notified rows once per
/// wake-up with one statement that evaluates every distinct subscribed query, and hands each
/// subscriber its matches. Browsers never poll the database. See ADR-008.
/// </summary>
public sealed partial class AccessTailReader(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<AccessTailReader> logger) : ListenLoop(direct, health, clock, logger)
{
    public const string Loop = "logs.live-tail";

    /// <summary>No page shows more than this many lines at once, so no subscriber is sent more per read.</summary>
    public const int MaxRowsPerDelivery = 1_000;

    // Each distinct query is one boolean column of the statement; beyond this, another statement.
    private const int QueriesPerStatement = 16;

    private ImmutableArray<Subscription> _subscribers = [];
    private int _readFailed;

    protected override string LoopName => Loop;

    protected override string ListenChannel => AccessTailNotice.Channel;

    /// <summary>Refuses an invalid query (<see cref="LogQuery"/>) before anything is registered.</summary>
    public Result<IDisposable> Subscribe(string? query, Action<LiveTailBatch> onRows)
    {
        ArgumentNullException.ThrowIfNull(onRows);
        var text = (query ?? "").Trim();
        if (LogQuery.Parse(text).Refusal is { } refusal)
        {
            return refusal;
        }
        var subscription = new Subscription(this, text, onRows);
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(subscription));
        return subscription;
    }

    protected override async Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct)
    {
        var notices = payloads.Select(AccessTailNotice.Parse).OfType<AccessTailNotice>().ToArray();
        var subscribers = _subscribers;
        if (notices.Length > 0 && subscribers.Length > 0)
        {
            await DeliverAsync(notices, subscribers, ct);
        }
    }

    private async Task DeliverAsync(AccessTailNotice[] notices, ImmutableArray<Subscription> subscribers, CancellationToken ct)
    {
        var byQuery = subscribers.GroupBy(s => s.Query, StringComparer.Ordinal).ToList();
        foreach (var chunk in byQuery.Chunk(QueriesPerStatement))
        {
            List<LogRow>[] matches;
            try
            {
                matches = await ReadAsync(notices, chunk.Select(g => g.Key).ToList(), ct);
                if (Interlocked.Exchange(ref _readFailed, 0) == 1)
                {
                    MarkHealthy();
                }
            }
            catch (NpgsqlException ex) when (!ct.IsCancellationRequested && ex is not NpgsqlOperationInProgressException)
            {
                // A failed read costs these tails one batch; it must not drop the LISTEN connection
                // (and with it every notice arriving meanwhile) for the others.
                LogReadFailed(Logger, ex, chunk.Length);
                MarkFailed(ex);
                _readFailed = 1;
                continue;
            }
            for (var q = 0; q < chunk.Length; q++)
            {
                var rows = matches[q];
                if (rows.Count == 0)
                {
                    continue;
                }
                var skipped = Math.Max(0, rows.Count - MaxRowsPerDelivery);
                var batch = new LiveTailBatch(skipped > 0 ? rows.GetRange(skipped, MaxRowsPerDelivery) : rows, skipped);
                foreach (var subscriber in chunk[q])
                {
                    subscriber.Deliver(batch);
                }
            }
        }
    }

    /// <summary>
    /// One statement: the notified (date span, id range) pairs drive index lookups on (date, id), and
    /// each query's filter is a column, so the rows are read once however many queries are tailed.
    /// </summary>
    private async Task<List<LogRow>[]> ReadAsync(AccessTailNotice[] notices, List<string> queries, CancellationToken ct)
    {
        var froms = new List<DateTime>();
        var tos = new List<DateTime>();
        var firsts = new List<long>();
        var lasts = new List<long>();
        foreach (var notice in notices)
        {
            foreach (var range in notice.Ranges)
            {
                froms.Add(DateTime.SpecifyKind(notice.From, DateTimeKind.Unspecified));
                tos.Add(DateTime.SpecifyKind(notice.To, DateTimeKind.Unspecified));
                firsts.Add(range.First);
                lasts.Add(range.Last);
            }
        }
        var p = new SqlParameters();
        var spans = $"""
            unnest({p.Add(froms.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Timestamp)}, {p.Add(tos.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Timestamp)},
                   {p.Add(firsts.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)}, {p.Add(lasts.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)}) AS n(n_from, n_to, n_first, n_last)
            """;
        var filters = queries.Select(q => $"({QueryCompiler.Compile(q, p)}) IS TRUE").ToList();
        var sql = $"""
            SELECT {AccessQuery.Columns}, {string.Join(", ", filters)}
            FROM {spans}
            JOIN access ON date BETWEEN n_from AND n_to AND id BETWEEN n_first AND n_last
            WHERE {string.Join(" OR ", filters)}
            ORDER BY date, id
            """;

        var matches = queries.Select(_ => new List<LogRow>()).ToArray();
        // The text is constant fragments plus QueryCompiler output ($n placeholders only); values are in p.
#pragma warning disable CA2100
        await using var cmd = dataSource.CreateCommand(sql);
#pragma warning restore CA2100
        p.CopyTo(cmd);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var first = reader.FieldCount - queries.Count;
        while (await reader.ReadAsync(ct))
        {
            var row = AccessQuery.ReadRow(reader);
            for (var q = 0; q < queries.Count; q++)
            {
                if (reader.GetBoolean(first + q))
                {
                    matches[q].Add(row);
                }
            }
        }
        return matches;
    }

    [LoggerMessage(LogLevel.Warning, "Reading new access rows for {Queries} live tail queries failed; those tails miss this batch")]
    private static partial void LogReadFailed(ILogger logger, Exception ex, int queries);

    [LoggerMessage(LogLevel.Warning, "A live tail subscriber failed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception ex);

    private sealed class Subscription(AccessTailReader owner, string query, Action<LiveTailBatch> onRows) : IDisposable
    {
        public string Query => query;

        public void Deliver(LiveTailBatch batch)
        {
            try
            {
                onRows(batch);
            }
            catch (Exception ex)
            {
                // One broken subscriber (a closed circuit, say) must not starve the others.
                LogSubscriberFailed(owner.Logger, ex);
            }
        }

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, s => s.Remove(this));
    }
}
