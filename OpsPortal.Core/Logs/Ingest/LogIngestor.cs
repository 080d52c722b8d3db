using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Logs.Ingest;

public sealed record IngestResult(long Accepted, long Rejected, long Bytes, DateTime? Oldest = null);

/// <summary>
/// Loads a whole UTF-8 stream for one source for the <c>import</c> command: lines are parsed into
/// batches and each full batch is written in its own transaction, with progress after each. (HTTP
/// requests are all-or-nothing instead: <see cref="RequestIngestor"/>.)
/// </summary>
public sealed class LogIngestor(AccessWriter writer, TimeProvider clock, IOptions<LogsOptions> options)
{
    public async Task<IngestResult> IngestAsync(SourceContext source, Stream utf8, IProgress<IngestResult>? progress, CancellationToken ct)
    {
        var o = options.Value;
        var batch = new LineBatch(source, o.BatchSize, clock, o.MaxRejectsPerRequest);
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

        var reader = LineReader.For(batch, o.MaxLineLength);
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
