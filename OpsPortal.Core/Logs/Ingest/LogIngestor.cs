namespace OpsPortal.Core.Logs.Ingest;

public sealed record IngestResult(long Accepted, long Rejected, long Bytes, DateTime? Oldest = null);

/// <summary>
/// Ingests a whole UTF-8 stream for one source (HTTP uploads, the import command): lines are
/// parsed into batches and each full batch is written in its own transaction.
/// </summary>
public sealed class LogIngestor(AccessWriter writer, TimeProvider clock)
{
    public async Task<IngestResult> IngestAsync(SourceContext source, Stream utf8, int batchSize, int maxLineLength,
        IProgress<IngestResult>? progress, CancellationToken ct)
    {
        var batch = new LineBatch(source, batchSize, clock);
        long accepted = 0, rejected = 0, bytes = 0;
        DateTime? oldest = null;

        async Task FlushAsync()
        {
            if (batch.LineCount == 0)
            {
                return;
            }
            for (var i = 0; i < batch.RowCount; i++)
            {
                if (oldest is null || batch.Rows[i].Date < oldest)
                {
                    oldest = batch.Rows[i].Date;
                }
            }
            await batch.WriteAsync(writer, cursor: null, ct);
            accepted += batch.RowCount;
            rejected += batch.Rejects.Count;
            batch.Clear();
            progress?.Report(new IngestResult(accepted, rejected, bytes, oldest));
        }

        var reader = new LineReader(maxLineLength,
            line => batch.Add(line),
            (start, length) => batch.Reject($"line longer than {maxLineLength} bytes ({length} bytes)", start));
        await reader.ReadToEndAsync(utf8, async consumed =>
        {
            bytes = consumed;
            if (batch.IsFull)
            {
                await FlushAsync();
            }
        }, ct);
        await FlushAsync();
        return new IngestResult(accepted, rejected, bytes, oldest);
    }
}
