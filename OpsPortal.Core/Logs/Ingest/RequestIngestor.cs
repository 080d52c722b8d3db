using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>What <c>POST /api/logs</c> answers; a replay of an <c>Idempotency-Key</c> answers the same.</summary>
public sealed record IngestReceipt(string Source, long Accepted, long Rejected, bool Replayed = false);

/// <summary>
/// Ingests one HTTP request all-or-nothing (issue 14.5): the body is read to its end first
/// (<see cref="SpooledBody"/>), the partitions of its days are made, then every row, the kept rejects,
/// the source's counters and the <c>Idempotency-Key</c> commit in one transaction. A client cut off
/// mid-body, a crash or a failed COPY store nothing; a retry with the same key returns the first
/// answer and stores nothing twice, on any node, even while the first is still being written.
/// </summary>
public sealed class RequestIngestor(AccessWriter writer, LogSourceService sources, TimeProvider clock, IOptions<LogsOptions> options)
{
    public const int MaxKeyLength = 255;

    public async Task<Result<IngestReceipt>> IngestAsync(
        LogSource source, Stream body, bool gzip, string actor, string? idempotencyKey, CancellationToken ct)
    {
        if (idempotencyKey is not null && !IsValidKey(idempotencyKey))
        {
            return Refusal.InvalidField("Idempotency-Key", $"An Idempotency-Key is 1 to {MaxKeyLength} visible ASCII characters.");
        }
        var o = options.Value;
        var read = await SpooledBody.ReadAsync(body, gzip, o.MaxUploadBytes, ct);
        if (!read.TryGet(out var spooled, out var refusal))
        {
            return refusal;
        }
        await using (spooled)
        {
            var context = sources.ContextFor(source);
            await writer.EnsurePartitionsAsync(await DaysAsync(context, spooled, ct), ct);
            await using var tx = await writer.BeginAsync(source.Id, ct);
            if (idempotencyKey is not null && !await ClaimKeyAsync(tx.Connection, actor, idempotencyKey, spooled.Sha256, ct))
            {
                return await ReplayAsync(tx.Connection, actor, idempotencyKey, spooled.Sha256, ct);
            }
            var batch = new LineBatch(context, o.BatchSize, clock, o.MaxRejectsPerRequest);
            await LineReader.For(batch, o.MaxLineLength).ReadToEndAsync(spooled.Rewound(), async _ =>
            {
                if (batch.IsFull)
                {
                    await tx.CopyAsync(batch.Rows, batch.RowCount, ct);
                    batch.ClearRows();
                }
            }, ct);
            await tx.CopyAsync(batch.Rows, batch.RowCount, ct);
            await tx.FinishAsync(batch.Rejects, cursor: null, ct);
            var receipt = new IngestReceipt(source.Name, tx.Accepted, batch.Rejects.Count);
            if (idempotencyKey is not null)
            {
                await RecordAnswerAsync(tx.Connection, actor, idempotencyKey, receipt, ct);
            }
            await tx.CommitAsync(ct);
            return receipt;
        }
    }

    /// <summary>Printable ASCII, as the Idempotency-Key draft (a structured-field string) allows.</summary>
    internal static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= ' ' and <= '~');

    /// <summary>
    /// The days the body's rows fall on, from a first parse: their partitions must exist before the
    /// transaction, which cannot create one once it has written to the parent table.
    /// </summary>
    private async Task<HashSet<DateOnly>> DaysAsync(SourceContext source, SpooledBody body, CancellationToken ct)
    {
        var days = new HashSet<DateOnly>();
        if (!source.Parser.ProvidesDate)
        {
            // Rows are stamped with the time they arrive (LineBatch): today, and tomorrow near midnight.
            var now = clock.GetUtcNow().UtcDateTime;
            return [DateOnly.FromDateTime(now), DateOnly.FromDateTime(now.AddMinutes(10))];
        }
        var record = new AccessRecord();
        var reader = new LineReader(options.Value.MaxLineLength, line =>
        {
            if (source.Parser.TryParse(line, record, out _))
            {
                days.Add(DateOnly.FromDateTime(record.Date));
            }
        }, (_, _) => { });
        await reader.ReadToEndAsync(body.Rewound(), null, ct);
        return days;
    }

    /// <summary>
    /// The key's row, first thing in the transaction. A second request with the same key waits here
    /// until the first commits (then inserts nothing: a replay) or rolls back (then it proceeds).
    /// </summary>
    private async Task<bool> ClaimKeyAsync(NpgsqlConnection conn, string actor, string key, byte[] sha256, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO log_ingest_keys (actor, key, body_sha256, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (actor, key) DO NOTHING
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = actor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private static async Task RecordAnswerAsync(NpgsqlConnection conn, string actor, string key, IngestReceipt receipt, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE log_ingest_keys SET source_name = $3, accepted = $4, rejected = $5 WHERE actor = $1 AND key = $2
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = actor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter { Value = receipt.Source });
        cmd.Parameters.Add(new NpgsqlParameter { Value = receipt.Accepted });
        cmd.Parameters.Add(new NpgsqlParameter { Value = receipt.Rejected });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Result<IngestReceipt>> ReplayAsync(NpgsqlConnection conn, string actor, string key, byte[] sha256, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT body_sha256, source_name, accepted, rejected FROM log_ingest_keys WHERE actor = $1 AND key = $2
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = actor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            // Purged between the insert and this read: a retry is safe now.
            return Refusal.Conflict("The Idempotency-Key was just released; send the request again.");
        }
        if (!reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(sha256))
        {
            return Refusal.Unprocessable("This Idempotency-Key was already used with a different body. Use a new key for new lines.",
                "Idempotency-Key reused");
        }
        return new IngestReceipt(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), Replayed: true);
    }
}
