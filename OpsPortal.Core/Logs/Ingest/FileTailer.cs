using System.Buffers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// Follows one file source's path like <c>tail -F</c>: through rename-and-create rotation (the old file
/// is read to its end first) and copytruncate (back to offset 0). Each batch is written together with
/// the offset after its last whole line (<see cref="AccessWriter"/>), and every start — a restart, or a
/// retry after an error — resumes from that committed cursor, so no line is lost or stored twice.
/// </summary>
/// <remarks>
/// Truncation is noticed when the file is shorter than what was read; a file that is truncated and
/// refilled past that point between two polls looks like growth. logrotate's copytruncate has a
/// window of its own (lines written between copy and truncate are lost) that no reader can close.
/// </remarks>
internal sealed partial class FileTailer(LogSource source, AccessWriter writer, LogSourceService sources,
    IDbContextFactory<OpsDbContext> dbFactory, EventLog events, IOptions<LogsOptions> options, TimeProvider clock, ILogger<FileTailer> logger)
{
    private static readonly TimeSpan MissingFileRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // Batches are checked for fullness after each read, so this bounds how far one overshoots BatchSize.
    private const int ReadSize = 64 * 1024;

    private readonly string _path = source.Path ?? throw new ArgumentException($"Log source {source.Name} has no path.", nameof(source));
    private readonly LogsOptions _options = options.Value;
    private readonly AllowedDirectories _allowed = AllowedDirectories.Parse(options.Value.AllowedPaths)
        ?? throw new InvalidOperationException("OpsPortal:Logs:AllowedPaths is not valid.");
    private readonly LineBatch _batch = new(sources.ContextFor(source), options.Value.BatchSize, clock, options.Value.MaxRejectsPerRequest);

    // Room for a partial line of the longest allowed length plus one read behind it.
    private readonly byte[] _buffer = new byte[options.Value.MaxLineLength + ReadSize];

    // The committed cursor: what the next batch's write expects to find in log_file_cursors.
    private FilePosition? _committed;

    // Just after the last whole line handed to the batch in the file being read: the cursor to commit.
    private long _boundary;

    /// <summary>Tails until <paramref name="ct"/> is cancelled; failures are logged, recorded on the source and retried.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                var started = clock.GetTimestamp();
                try
                {
                    await TailAsync(ct);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    // Stopping mid-batch is safe: what was read since the last commit is read again next time.
                    return;
                }
                catch (Exception ex)
                {
                    if (clock.GetElapsedTime(started) > MaxBackoff)
                    {
                        backoff = TimeSpan.FromSeconds(1);
                    }
                    LogTailFailed(ex, source.Name, backoff.TotalSeconds);
                    await TryRecordErrorAsync($"Tailing {_path} failed: {Faults.Describe(ex)}", ct);
                    await Task.Delay(backoff, clock, ct);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task TailAsync(CancellationToken ct)
    {
        _batch.Clear();
        var (file, start) = await ResumeAsync(ct);
        try
        {
            while (true)
            {
                var next = await FollowAsync(file, start, ct);
                file.Dispose();
                file = next;
                start = 0;
            }
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>Reads <paramref name="file"/> from <paramref name="start"/> on; returns the file that replaced it once it is read to the end.</summary>
    private async Task<TailFile> FollowAsync(TailFile file, long start, CancellationToken ct)
    {
        _boundary = start;
        var readAt = start;
        var buffered = 0;
        var lines = NewLineReader();
        var replaced = false;
        while (true)
        {
            var read = await RandomAccess.ReadAsync(file.Handle, _buffer.AsMemory(buffered, ReadSize), readAt, ct);
            if (read > 0)
            {
                readAt += read;
                buffered = Consume(lines, buffered + read, final: false);
                if (_batch.IsFull)
                {
                    await FlushAsync(file, _boundary, ct);
                }
                continue;
            }
            if (replaced && TailFile.TryOpen(_path, _allowed) is { } next)
            {
                if (next.Id == file.Id)
                {
                    next.Dispose();
                }
                else
                {
                    await FinishAsync(file, lines, buffered, readAt, next, ct);
                    return next;
                }
            }
            replaced = false;
            await FlushAsync(file, _boundary, ct);

            if (file.Length < readAt)
            {
                LogTruncated(source.Name, _path, readAt);
                readAt = _boundary = 0;
                buffered = 0;
                lines = NewLineReader();
                continue;
            }
            // A new file at the path counts once it has data: until then the writer may still be
            // appending to the old one (logrotate creates the file before nginx reopens its logs).
            if (FileIdentity.Of(_path) is { } atPath && atPath.Id != file.Id && atPath.Size > 0)
            {
                replaced = true;
                continue; // one more read of the old file, for what was written before the switch
            }
            await Task.Delay(_options.TailPollInterval, clock, ct);
        }
    }

    /// <summary>The writer has moved to <paramref name="next"/>: a last line without a newline is complete.</summary>
    private async Task FinishAsync(TailFile file, LineReader lines, int buffered, long end, TailFile next, CancellationToken ct)
    {
        try
        {
            Consume(lines, buffered, final: true);
            _boundary = end;
            await FlushAsync(file, end, ct);
            LogRotated(source.Name, _path, end);
        }
        catch
        {
            next.Dispose();
            throw;
        }
    }

    private LineReader NewLineReader()
    {
        var max = _options.MaxLineLength;
        return new LineReader(max,
            line =>
            {
                _boundary += line.Length + 1;
                _batch.Add(line);
            },
            (head, length) =>
            {
                _boundary += length + 1;
                _batch.Reject(LineReader.TooLong(max, length), head);
            });
    }

    /// <summary>Hands the whole lines in the buffer to the batch and keeps the partial rest at its start.</summary>
    private int Consume(LineReader lines, int count, bool final)
    {
        var consumed = (int)lines.Feed(new ReadOnlySequence<byte>(_buffer, 0, count), final);
        _buffer.AsSpan(consumed, count - consumed).CopyTo(_buffer);
        return count - consumed;
    }

    private async Task FlushAsync(TailFile file, long offset, CancellationToken ct)
    {
        if (_batch.LineCount == 0)
        {
            return;
        }
        await _batch.WriteAsync(writer, new CursorUpdate(file.Id, offset, _committed, file.Length), ct);
        _committed = new FilePosition(file.Id, offset);
        _batch.Clear();
    }

    private async Task TryRecordErrorAsync(string error, CancellationToken ct)
    {
        try
        {
            await sources.RecordErrorAsync(source.Id, error, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordErrorFailed(ex, source.Name);
        }
    }
}
