using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// One transaction of one source's writes: any number of <see cref="CopyAsync"/> calls, then
/// <see cref="FinishAsync"/> (rejects, counters, cursor) and <see cref="CommitAsync"/>. Disposed
/// without a commit, it rolls back: none of its rows, rejects or counts are stored.
/// </summary>
internal sealed class AccessTransaction : IAsyncDisposable
{
    private const string CopyCommand = $"COPY access ({AccessCopyEncoder.Columns}) FROM STDIN (FORMAT BINARY)";

    /// <summary>Encoded bytes per write to the COPY stream.</summary>
    private const int CopyChunkBytes = 1 << 16;

    private readonly AccessWriter _writer;
    private readonly NpgsqlTransaction _tx;
    private readonly bool _ownsConnection;
    private DateTime? _newest;
    private AccessCopyEncoder? _encoder;

    private AccessTransaction(AccessWriter writer, NpgsqlConnection conn, NpgsqlTransaction tx, int sourceId, bool ownsConnection)
    {
        _writer = writer;
        Connection = conn;
        _tx = tx;
        SourceId = sourceId;
        _ownsConnection = ownsConnection;
    }

    /// <param name="durable">
    /// False lets the commit return before its WAL is on disk (<c>synchronous_commit = off</c>): for all but
    /// the last batch of an import, whose final, durable commit flushes the WAL of every batch before it.
    /// A database crash in between loses the batches after the last flush — the import fails and says so.
    /// </param>
    internal static async Task<AccessTransaction> BeginAsync(
        AccessWriter writer, NpgsqlConnection conn, int sourceId, CancellationToken ct, bool ownsConnection = false, bool durable = true)
    {
        var tx = await conn.BeginTransactionAsync(ct);
        if (!durable)
        {
            await using var cmd = new NpgsqlCommand("SET LOCAL synchronous_commit = off", conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new(writer, conn, tx, sourceId, ownsConnection);
    }

    public NpgsqlConnection Connection { get; }
    public int SourceId { get; }

    /// <summary>Rows copied so far.</summary>
    public long Accepted { get; private set; }

    /// <summary>Copies rows; their partitions must exist. Live tail hears of them when the transaction commits.</summary>
    internal async Task CopyAsync(IReadOnlyList<AccessRecord> rows, int rowCount, CancellationToken ct)
    {
        if (rowCount == 0)
        {
            return;
        }
        var ids = await ReserveIdsAsync(rowCount, ct);
        var (oldest, newest) = await CopyRowsAsync(ids, rows, rowCount, ct);
        _newest = _newest is { } n && n > newest ? n : newest;
        await MarkAndNotifyAsync(rows, rowCount, ids, oldest, newest, ct);
        Accepted += rowCount;
    }

    /// <summary>
    /// Stores the kept rejects — no more than the source's hourly allowance — and adds the rows, the
    /// rejects and those not kept to the source's counters; for a file tail, moves its cursor.
    /// </summary>
    internal async Task FinishAsync(RejectSample? rejects, CursorUpdate? cursor, CancellationToken ct)
    {
        var stored = rejects is { Kept.Count: > 0 } ? await InsertRejectsAsync(rejects.Kept, ct) : 0;
        await UpdateSourceAsync(rejects?.Count ?? 0, (rejects?.Count ?? 0) - stored, ct);
        if (cursor is not null)
        {
            await UpdateCursorAsync(cursor, ct);
        }
    }

    internal Task CommitAsync(CancellationToken ct) => _tx.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        if (_ownsConnection)
        {
            await Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// The ids are taken before the COPY (rather than by the column default during it) so that the
    /// batch can name exactly the rows it wrote: ids from concurrent writers interleave and commit out
    /// of order, so "id above the last one seen" would skip rows and "the batch's min..max" would
    /// include another batch's rows. The sequence hands out distinct values, almost always contiguous.
    /// One array value, not a row per id: reading 5,000 rows cost more than taking the ids.
    /// </summary>
    private async Task<long[]> ReserveIdsAsync(int count, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT array_agg(nextval('access_id_seq')) FROM generate_series(1, $1)", Connection, _tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = count });
        var ids = (long[])(await cmd.ExecuteScalarAsync(ct))!;
        Array.Sort(ids);
        return ids;
    }

    /// <summary>
    /// In one round trip: the minutes this batch wrote to, for <see cref="Rollups.LogRollupJob"/> (in the
    /// batch's transaction, so a minute is marked exactly when its new rows become visible, ADR-009), and
    /// the live-tail notice (PostgreSQL delivers it on commit only, never for a rollback, ADR-008).
    /// </summary>
    private async Task MarkAndNotifyAsync(IReadOnlyList<AccessRecord> rows, int rowCount, long[] ids, DateTime oldest, DateTime newest,
        CancellationToken ct)
    {
        var minutes = new HashSet<DateTime>();
        var last = DateTime.MinValue;
        for (var i = 0; i < rowCount; i++)
        {
            var t = rows[i].Date;
            var minute = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Unspecified);
            if (minute != last)
            {
                minutes.Add(minute);
                last = minute;
            }
        }
        await using var batch = new NpgsqlBatch(Connection, _tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO access_rollup_dirty (minute) SELECT unnest($1::timestamp[])")
        {
            Parameters = { new NpgsqlParameter { Value = minutes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Timestamp } },
        });
        foreach (var payload in AccessTailNotice.Format(oldest, newest, AccessTailNotice.ToRanges(ids)))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
            {
                Parameters = { new NpgsqlParameter { Value = AccessTailNotice.Channel }, new NpgsqlParameter { Value = payload } },
            });
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// One raw binary COPY of the rows, encoded by <see cref="AccessCopyEncoder"/> and sent in chunks of
    /// <see cref="CopyChunkBytes"/>: the server parses one chunk while the next is encoded.
    /// </summary>
    private async Task<(DateTime Oldest, DateTime Newest)> CopyRowsAsync(
        long[] ids, IReadOnlyList<AccessRecord> rows, int rowCount, CancellationToken ct)
    {
        var oldest = DateTime.MaxValue;
        var newest = DateTime.MinValue;
        var encoder = _encoder ??= new AccessCopyEncoder(CopyChunkBytes + 4096);
        encoder.Clear();
        await using var copy = await Connection.BeginRawBinaryCopyAsync(CopyCommand, ct);
        try
        {
            encoder.WriteHeader();
            for (var i = 0; i < rowCount; i++)
            {
                var r = rows[i];
                encoder.WriteRow(ids[i], r, SourceId);
                if (r.Date > newest)
                {
                    newest = r.Date;
                }
                if (r.Date < oldest)
                {
                    oldest = r.Date;
                }
                if (encoder.Length >= CopyChunkBytes)
                {
                    await copy.WriteAsync(encoder.Encoded, ct);
                    encoder.Clear();
                }
            }
            encoder.WriteTrailer();
            await copy.WriteAsync(encoder.Encoded, ct);
            encoder.Clear();
        }
        catch
        {
            // Ends the COPY with an error rather than sending a half-written row as complete.
            await copy.CancelAsync();
            throw;
        }
        return (oldest, newest);
    }

    /// <summary>
    /// Inserts the rejects the source's hourly allowance still has room for and returns how many. Two
    /// writers of one source at the same moment may each use the room they saw: the allowance bounds
    /// storage, it is not an exact quota.
    /// </summary>
    private async Task<int> InsertRejectsAsync(IReadOnlyList<RejectedLine> rejects, CancellationToken ct)
    {
        var now = _writer.Clock.GetUtcNow();
        var hour = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
        var cap = _writer.MaxRejectsPerSourceHour;
        await using (var count = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT 1 FROM log_rejects WHERE source_id = $1 AND received_at >= $2 LIMIT $3) x", Connection, _tx))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = SourceId });
            count.Parameters.Add(new NpgsqlParameter { Value = hour });
            count.Parameters.Add(new NpgsqlParameter { Value = cap });
            var room = cap - (int)(long)(await count.ExecuteScalarAsync(ct))!;
            if (room <= 0)
            {
                return 0;
            }
            rejects = rejects.Count <= room ? rejects : rejects.Take(room).ToList();
        }
        await using var copy = await Connection.BeginBinaryImportAsync(
            "COPY log_rejects (source_id, received_at, reason, raw) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var reject in rejects)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(SourceId, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(Truncate(reject.Reason, 500), NpgsqlDbType.Text, ct);
            await copy.WriteAsync(Truncate(reject.Raw, AccessWriter.MaxRawRejectLength), NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
        return rejects.Count;
    }

    private async Task UpdateSourceAsync(long rejected, long notKept, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE log_sources
            SET accepted_total = accepted_total + $2,
                rejected_total = rejected_total + $3,
                rejects_not_kept = rejects_not_kept + $4,
                last_line_at = GREATEST(last_line_at, $5),
                last_received_at = $6
            WHERE id = $1
            """, Connection, _tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = SourceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Accepted });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rejected });
        cmd.Parameters.Add(new NpgsqlParameter { Value = notKept });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = _newest is { } n ? DateTime.SpecifyKind(n, DateTimeKind.Unspecified) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Timestamp,
        });
        cmd.Parameters.Add(new NpgsqlParameter { Value = _writer.Clock.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task UpdateCursorAsync(CursorUpdate cursor, CancellationToken ct)
    {
        await using var cmd = cursor.Previous is null
            ? new NpgsqlCommand("""
                INSERT INTO log_file_cursors (source_id, file_id, "offset", updated_at, size) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (source_id) DO NOTHING
                """, Connection, _tx)
            : new NpgsqlCommand("""
                UPDATE log_file_cursors SET file_id = $2, "offset" = $3, updated_at = $4, size = $5
                WHERE source_id = $1 AND file_id = $6 AND "offset" = $7
                """, Connection, _tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = SourceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.FileId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.Offset });
        cmd.Parameters.Add(new NpgsqlParameter { Value = _writer.Clock.GetUtcNow() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Math.Max(cursor.Size, cursor.Offset) });
        if (cursor.Previous is { } previous)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = previous.FileId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = previous.Offset });
        }
        if (await cmd.ExecuteNonQueryAsync(ct) != 1)
        {
            throw new CursorConflictException($"The read position of log source {SourceId} was moved by another reader; batch not written.");
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
