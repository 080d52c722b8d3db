using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Logs.Ingest;

public sealed record IngestResult(long Accepted, long Rejected, long Bytes, DateTime? Oldest = null);

/// <summary>
/// Loads a whole UTF-8 stream for one source for the <c>import</c> command: lines are parsed into
/// batches and each full batch is written in its own transaction, with progress after each. (HTTP
/// requests are all-or-nothing instead: <see cref="RequestIngestor"/>.)
/// </summary>
/// <remarks>
/// Tuned to keep up with <c>psql \copy</c> of the same rows (issue 14.8, bench/RESULTS.md): the next batch
/// is parsed while the last one is written (two batches, one write in flight); batches are large; every
/// commit but the last skips waiting for its WAL flush, and the last, durable one flushes them all, so
/// an import that reports success has every row on disk.
/// </remarks>
public sealed class LogIngestor(AccessWriter writer, TimeProvider clock, IOptions<LogsOptions> options)
{
    /// <summary>Rows per import transaction, at least: fewer, larger transactions cost less per row.</summary>
    public const int ImportBatchRows = 25_000;

    public async Task<IngestResult> IngestAsync(SourceContext source, Stream utf8, IProgress<IngestResult>? progress, CancellationToken ct)
    {
        var o = options.Value;
        var size = Math.Max(o.BatchSize, ImportBatchRows);
        var filling = new LineBatch(source, size, clock, o.MaxRejectsPerRequest);
        var spare = new LineBatch(source, size, clock, o.MaxRejectsPerRequest);
        var writing = Task.CompletedTask;
        long accepted = 0, rejected = 0, bytes = 0;
        DateTime? oldest = null;

        async Task HandOverAsync(bool last)
        {
            await writing;
            var full = filling;
            (filling, spare) = (spare, filling);
            for (var i = 0; i < full.RowCount; i++)
            {
                if (oldest is null || full.Rows[i].Date < oldest)
                {
                    oldest = full.Rows[i].Date;
                }
            }
            accepted += full.RowCount;
            rejected += full.Rejects.Count;
            var done = new IngestResult(accepted, rejected, bytes, oldest);
            // The last write always runs, even without lines: its durable commit flushes every batch before it.
            writing = WriteAsync(full, durable: last, done);
        }

        async Task WriteAsync(LineBatch batch, bool durable, IngestResult done)
        {
            await batch.WriteAsync(writer, cursor: null, ct, durable);
            batch.Clear();
            progress?.Report(done);
        }

        var reader = new LineReader(o.MaxLineLength,
            line => filling.Add(line),
            (start, length) => filling.Reject(LineReader.TooLong(o.MaxLineLength, length), start));
        try
        {
            await reader.ReadToEndAsync(utf8, async consumed =>
            {
                bytes = consumed;
                if (filling.IsFull)
                {
                    await HandOverAsync(last: false);
                }
            }, ct);
            await HandOverAsync(last: true);
            await writing;
        }
        finally
        {
            // A failed read does not return while a batch is still being written.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return new IngestResult(accepted, rejected, bytes, oldest);
    }
}
