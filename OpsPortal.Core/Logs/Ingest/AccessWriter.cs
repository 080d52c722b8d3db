using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Storage;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>One line that did not parse, with why.</summary>
public readonly record struct RejectedLine(string Reason, string Raw);

/// <summary>A position in one file: its identity (device and inode) and a byte offset.</summary>
public readonly record struct FilePosition(string FileId, long Offset);

/// <summary>
/// Where a file source will resume once this batch is committed. <paramref name="Previous"/> is the
/// stored cursor the batch was read from (null when the source has none yet): the write fails with
/// <see cref="CursorConflictException"/> when the stored cursor has moved since, so two readers of one
/// source (a lost advisory lock, a bug) can never both commit the same lines.
/// </summary>
public sealed record CursorUpdate(string FileId, long Offset, FilePosition? Previous);

/// <summary>Another reader advanced the source's cursor: this batch was rolled back.</summary>
public sealed class CursorConflictException : Exception
{
    public CursorConflictException()
    {
    }

    public CursorConflictException(string message)
        : base(message)
    {
    }

    public CursorConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Writes one batch of a source's lines: parsed rows by binary COPY, rejects, the source's
/// counters and (for file tails) the read position, all in one transaction, so a crash can
/// neither lose nor duplicate a line.
/// </summary>
public sealed class AccessWriter(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxRawRejectLength = 2048;

    private const string CopyCommand = """
        COPY access (id, ip, hostname, username, date, method, path, protocol, status, size, referrer, useragent,
                     clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol,
                     scheme, source_id, remote_host, raw_request) FROM STDIN (FORMAT BINARY)
        """;

    // Days whose partition this process has seen exist; partitions are only dropped for days long past.
    private readonly ConcurrentDictionary<DateOnly, bool> _knownDays = new();

    public async Task WriteAsync(int sourceId, IReadOnlyList<AccessRecord> rows, int rowCount,
        IReadOnlyList<RejectedLine> rejects, CursorUpdate? cursor, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await EnsurePartitionsAsync(conn, rows, rowCount, ct);

        await using var tx = await conn.BeginTransactionAsync(ct);
        DateTime? newest = null;
        if (rowCount > 0)
        {
            var ids = await ReserveIdsAsync(conn, rowCount, ct);
            var (oldest, latest) = await CopyAsync(conn, sourceId, ids, rows, rowCount, ct);
            newest = latest;
            await MarkMinutesAsync(conn, rows, rowCount, ct);
            await NotifyTailAsync(conn, ids, oldest, latest, ct);
        }
        if (rejects.Count > 0)
        {
            await InsertRejectsAsync(conn, sourceId, rejects, ct);
        }
        await UpdateSourceAsync(conn, sourceId, rowCount, rejects.Count, newest, ct);
        if (cursor is not null)
        {
            await UpdateCursorAsync(conn, sourceId, cursor, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Partitions are created in their own short transactions: CREATE TABLE … PARTITION OF locks
    /// the parent, and holding that lock through a long COPY would stall every other writer.
    /// </summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection conn, IReadOnlyList<AccessRecord> rows, int rowCount, CancellationToken ct)
    {
        DateOnly? last = null;
        for (var i = 0; i < rowCount; i++)
        {
            var day = DateOnly.FromDateTime(rows[i].Date);
            if (day == last || _knownDays.ContainsKey(day))
            {
                last = day;
                continue;
            }
            await AccessTable.EnsurePartitionAsync(conn, day, ct);
            _knownDays[day] = true;
            last = day;
        }
    }

    /// <summary>
    /// The ids are taken before the COPY (rather than by the column default during it) so that the
    /// batch can name exactly the rows it wrote: ids from concurrent writers interleave and commit out
    /// of order, so "id above the last one seen" would skip rows and "the batch's min..max" would
    /// include another batch's rows. The sequence hands out distinct values, almost always contiguous.
    /// </summary>
    private static async Task<long[]> ReserveIdsAsync(NpgsqlConnection conn, int count, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT nextval('access_id_seq') FROM generate_series(1, $1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = count });
        var ids = new long[count];
        var i = 0;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids[i++] = reader.GetInt64(0);
            }
        }
        Array.Sort(ids);
        return ids;
    }

    /// <summary>
    /// The minutes this batch wrote to, for <see cref="Rollups.LogRollupJob"/>; in the batch's transaction, so
    /// a minute is marked exactly when its new rows become visible (docs/decisions/ADR-009).
    /// </summary>
    private static async Task MarkMinutesAsync(NpgsqlConnection conn, IReadOnlyList<AccessRecord> rows, int rowCount, CancellationToken ct)
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
        await using var cmd = new NpgsqlCommand("INSERT INTO access_rollup_dirty (minute) SELECT unnest($1::timestamp[])", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = minutes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Timestamp });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Sent inside the transaction: PostgreSQL delivers it on commit only, and never for a rollback.</summary>
    private static async Task NotifyTailAsync(NpgsqlConnection conn, long[] ids, DateTime oldest, DateTime newest, CancellationToken ct)
    {
        foreach (var payload in AccessTailNotice.Format(oldest, newest, AccessTailNotice.ToRanges(ids)))
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_notify($1, $2)", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = AccessTailNotice.Channel });
            cmd.Parameters.Add(new NpgsqlParameter { Value = payload });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Forget cached partitions (after retention dropped some).</summary>
    public void ForgetPartitions() => _knownDays.Clear();

    /// <summary>
    /// Synchronous writes on purpose: an await per field (22 per row, millions of rows) costs more
    /// than the rare blocking flush of Npgsql's buffer. Callers are background pipelines, never a circuit.
    /// </summary>
    private static async Task<(DateTime Oldest, DateTime Newest)> CopyAsync(
        NpgsqlConnection conn, int sourceId, long[] ids, IReadOnlyList<AccessRecord> rows, int rowCount, CancellationToken ct)
    {
        var oldest = DateTime.MaxValue;
        var newest = DateTime.MinValue;
        await using var copy = await conn.BeginBinaryImportAsync(CopyCommand, ct);
        for (var i = 0; i < rowCount; i++)
        {
            var r = rows[i];
            copy.StartRow();
            copy.Write(ids[i], NpgsqlDbType.Bigint);
            Write(copy, r.Ip, NpgsqlDbType.Inet);
            Write(copy, r.Hostname, NpgsqlDbType.Text);
            Write(copy, r.Username, NpgsqlDbType.Text);
            // The column is "timestamp without time zone" holding UTC; Npgsql refuses Kind=Utc for it.
            copy.Write(DateTime.SpecifyKind(r.Date, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);
            Write(copy, r.Method, NpgsqlDbType.Text);
            Write(copy, r.Path, NpgsqlDbType.Text);
            Write(copy, r.Protocol, NpgsqlDbType.Text);
            Write(copy, r.Status, NpgsqlDbType.Integer);
            copy.Write(r.Size, NpgsqlDbType.Integer);
            Write(copy, r.Referrer, NpgsqlDbType.Text);
            Write(copy, r.UserAgent, NpgsqlDbType.Text);
            Write(copy, r.ClientTime, NpgsqlDbType.Double);
            Write(copy, r.BackendTime, NpgsqlDbType.Double);
            Write(copy, r.BackendIp, NpgsqlDbType.Inet);
            Write(copy, r.BackendPort, NpgsqlDbType.Integer);
            Write(copy, r.BackendStatus, NpgsqlDbType.Integer);
            Write(copy, r.SslCipher, NpgsqlDbType.Text);
            Write(copy, r.SslProtocol, NpgsqlDbType.Text);
            Write(copy, r.Scheme, NpgsqlDbType.Text);
            copy.Write(sourceId, NpgsqlDbType.Integer);
            Write(copy, r.RemoteHost, NpgsqlDbType.Text);
            Write(copy, r.RawRequest, NpgsqlDbType.Text);
            if (r.Date > newest)
            {
                newest = r.Date;
            }
            if (r.Date < oldest)
            {
                oldest = r.Date;
            }
        }
        await copy.CompleteAsync(ct);
        return (oldest, newest);
    }

    private static void Write<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : class
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }

    private static void Write<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
        {
            copy.Write(v, type);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private async Task InsertRejectsAsync(NpgsqlConnection conn, int sourceId, IReadOnlyList<RejectedLine> rejects, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY log_rejects (source_id, received_at, reason, raw) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var reject in rejects)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(sourceId, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(Truncate(reject.Reason, 500), NpgsqlDbType.Text, ct);
            await copy.WriteAsync(Truncate(reject.Raw, MaxRawRejectLength), NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private async Task UpdateSourceAsync(NpgsqlConnection conn, int sourceId, int accepted, int rejected, DateTime? newest, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE log_sources
            SET accepted_total = accepted_total + $2,
                rejected_total = rejected_total + $3,
                last_line_at = GREATEST(last_line_at, $4),
                last_received_at = $5
            WHERE id = $1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)accepted });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)rejected });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = newest is { } n ? DateTime.SpecifyKind(n, DateTimeKind.Unspecified) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Timestamp,
        });
        cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task UpdateCursorAsync(NpgsqlConnection conn, int sourceId, CursorUpdate cursor, CancellationToken ct)
    {
        await using var cmd = cursor.Previous is null
            ? new NpgsqlCommand("""
                INSERT INTO log_file_cursors (source_id, file_id, "offset", updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (source_id) DO NOTHING
                """, conn)
            : new NpgsqlCommand("""
                UPDATE log_file_cursors SET file_id = $2, "offset" = $3, updated_at = $4
                WHERE source_id = $1 AND file_id = $5 AND "offset" = $6
                """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.FileId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = cursor.Offset });
        cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        if (cursor.Previous is { } previous)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = previous.FileId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = previous.Offset });
        }
        if (await cmd.ExecuteNonQueryAsync(ct) != 1)
        {
            throw new CursorConflictException($"The read position of log source {sourceId} was moved by another reader; batch not written.");
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
