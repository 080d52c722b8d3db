using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Storage;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>One line that did not parse, with why.</summary>
internal readonly record struct RejectedLine(string Reason, string Raw);

/// <summary>A position in one file: its identity (device and inode) and a byte offset.</summary>
internal readonly record struct FilePosition(string FileId, long Offset);

/// <summary>
/// Where a file source will resume once this batch is committed. <paramref name="Previous"/> is the
/// stored cursor the batch was read from (null when the source has none yet): the write fails with
/// <see cref="CursorConflictException"/> when the stored cursor has moved since, so two readers of one
/// source (a lost advisory lock, a bug) can never both commit the same lines. <paramref name="Size"/>
/// is the file's size as seen now: if the file goes away unread, what is known to be lost.
/// </summary>
internal sealed record CursorUpdate(string FileId, long Offset, FilePosition? Previous, long Size = 0);

/// <summary>Another reader advanced the source's cursor: this batch was rolled back.</summary>
internal sealed class CursorConflictException : Exception
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
/// Writes a source's lines: parsed rows by binary COPY, rejects, the source's counters and (for file
/// tails) the read position, all in one transaction (<see cref="AccessTransaction"/>), so a crash can
/// neither lose nor duplicate a line. File tails and syslog write one batch per transaction
/// (<see cref="WriteAsync(int, IReadOnlyList{AccessRecord}, int, RejectSample?, CursorUpdate?, CancellationToken)"/>);
/// an HTTP request writes all its batches in one (<see cref="RequestIngestor"/>).
/// </summary>
public sealed class AccessWriter(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<LogsOptions> options)
{
    public const int MaxRawRejectLength = 2048;

    // Days whose partition this process has seen exist; partitions are only dropped for days long past.
    private readonly ConcurrentDictionary<DateOnly, bool> _knownDays = new();

    internal TimeProvider Clock => clock;

    internal int MaxRejectsPerSourceHour => options.Value.MaxRejectsPerSourceHour;

    /// <summary>One batch in one transaction (<paramref name="durable"/>: see <see cref="AccessTransaction"/>).</summary>
    internal async Task WriteAsync(int sourceId, IReadOnlyList<AccessRecord> rows, int rowCount,
        RejectSample? rejects, CursorUpdate? cursor, CancellationToken ct, bool durable = true)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await EnsurePartitionsAsync(conn, Days(rows, rowCount), ct);
        await using var tx = await AccessTransaction.BeginAsync(this, conn, sourceId, ct, durable: durable);
        await tx.CopyAsync(rows, rowCount, ct);
        await tx.FinishAsync(rejects, cursor, ct);
        await tx.CommitAsync(ct);
    }

    internal Task WriteAsync(int sourceId, IReadOnlyList<AccessRecord> rows, int rowCount,
        IReadOnlyList<RejectedLine> rejects, CursorUpdate? cursor, CancellationToken ct) =>
        WriteAsync(sourceId, rows, rowCount, RejectSample.Of(rejects), cursor, ct);

    /// <summary>
    /// A transaction for many batches of one source; its connection is the caller's until it is disposed.
    /// The partitions of every day it will write must exist before (<see cref="EnsurePartitionsAsync(IEnumerable{DateOnly}, CancellationToken)"/>).
    /// </summary>
    internal async Task<AccessTransaction> BeginAsync(int sourceId, CancellationToken ct)
    {
        var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            return await AccessTransaction.BeginAsync(this, conn, sourceId, ct, ownsConnection: true);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    internal async Task EnsurePartitionsAsync(IEnumerable<DateOnly> days, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await EnsurePartitionsAsync(conn, days, ct);
    }

    /// <summary>
    /// Partitions are created in their own short transactions, before the rows' transaction begins:
    /// CREATE TABLE … PARTITION OF locks the parent, and holding that lock through a long COPY would
    /// stall every other writer; requested from inside a transaction that has written to the parent,
    /// it would wait for that very transaction.
    /// </summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection conn, IEnumerable<DateOnly> days, CancellationToken ct)
    {
        foreach (var day in days)
        {
            if (_knownDays.ContainsKey(day))
            {
                continue;
            }
            await AccessTable.EnsurePartitionAsync(conn, day, ct);
            _knownDays[day] = true;
        }
    }

    private static IEnumerable<DateOnly> Days(IReadOnlyList<AccessRecord> rows, int rowCount)
    {
        DateOnly? last = null;
        for (var i = 0; i < rowCount; i++)
        {
            var day = DateOnly.FromDateTime(rows[i].Date);
            if (day != last)
            {
                last = day;
                yield return day;
            }
        }
    }

    /// <summary>Forget cached partitions (after retention dropped some).</summary>
    internal void ForgetPartitions() => _knownDays.Clear();
}
