using System.Buffers;
using System.IO.Pipelines;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// Splits a UTF-8 stream into lines without a string per line. A last line without a newline is
/// still delivered; a "line" longer than the limit is reported as too long (with its start)
/// instead of being buffered without bound.
/// </summary>
internal sealed class LineReader
{
    public delegate void LineHandler(ReadOnlySpan<byte> line);
    public delegate void TooLongHandler(ReadOnlySpan<byte> start, long length);

    private readonly int _maxLineLength;
    private readonly LineHandler _onLine;
    private readonly TooLongHandler _onTooLong;
    private readonly byte[] _scratch;
    private int _skipStartLength;
    private long _skipped = -1;

    public LineReader(int maxLineLength, LineHandler onLine, TooLongHandler onTooLong)
    {
        _maxLineLength = maxLineLength;
        _onLine = onLine;
        _onTooLong = onTooLong;
        _scratch = new byte[Math.Max(maxLineLength, AccessWriter.MaxRawRejectLength) + 1];
    }

    /// <summary>A reader that hands lines to <paramref name="batch"/> and rejects the too long ones there.</summary>
    public static LineReader For(LineBatch batch, int maxLineLength) =>
        new(maxLineLength, line => batch.Add(line), (start, length) => batch.Reject(TooLong(maxLineLength, length), start));

    /// <summary>The reject reason of a line over the limit.</summary>
    public static string TooLong(int maxLineLength, long length) => $"line longer than {maxLineLength} bytes ({length} bytes)";

    /// <summary>
    /// Reads <paramref name="stream"/> to its end. After each chunk, <paramref name="afterChunk"/>
    /// gets the bytes consumed so far (whole lines only), for batching, progress and cursors.
    /// </summary>
    public async Task ReadToEndAsync(Stream stream, Func<long, Task>? afterChunk, CancellationToken ct)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, leaveOpen: true));
        long consumedTotal = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                consumedTotal += Process(ref buffer, result.IsCompleted);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (afterChunk is not null)
                {
                    await afterChunk(consumedTotal);
                }
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>
    /// Delivers the whole lines at the start of <paramref name="buffer"/> and returns the bytes
    /// consumed, for a caller that reads a growing file itself: a partial last line stays unconsumed
    /// until its newline arrives, unless <paramref name="final"/> says no more will come.
    /// </summary>
    public long Feed(ReadOnlySequence<byte> buffer, bool final) => Process(ref buffer, final);

    private long Process(ref ReadOnlySequence<byte> buffer, bool completed)
    {
        long consumed = 0;
        var sequence = new SequenceReader<byte>(buffer);
        while (sequence.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            consumed += line.Length + 1;
            Deliver(line);
        }
        var rest = sequence.UnreadSequence;
        if (completed && rest.Length > 0)
        {
            consumed += rest.Length;
            Deliver(rest);
            sequence.AdvanceToEnd();
        }
        else if (completed && _skipped >= 0)
        {
            // The stream ended inside an over-long line: it is a reject too, not silently gone.
            Deliver(ReadOnlySequence<byte>.Empty);
        }
        else if (rest.Length > _maxLineLength)
        {
            // No newline in sight: remember the start, then skip until the next newline.
            StartSkipping(rest);
            consumed += rest.Length;
            sequence.AdvanceToEnd();
        }
        buffer = buffer.Slice(sequence.Position);
        return consumed;
    }

    private void StartSkipping(ReadOnlySequence<byte> rest)
    {
        if (_skipped < 0)
        {
            var start = rest.Slice(0, Math.Min(rest.Length, AccessWriter.MaxRawRejectLength));
            start.CopyTo(_scratch);
            _skipStartLength = (int)start.Length;
            _skipped = 0;
        }
        _skipped += rest.Length;
    }

    private void Deliver(ReadOnlySequence<byte> line)
    {
        if (_skipped >= 0)
        {
            _onTooLong(_scratch.AsSpan(0, _skipStartLength), _skipped + line.Length);
            _skipped = -1;
            return;
        }
        if (line.Length > _maxLineLength)
        {
            var start = line.Slice(0, Math.Min(line.Length, AccessWriter.MaxRawRejectLength));
            start.CopyTo(_scratch);
            _onTooLong(_scratch.AsSpan(0, (int)start.Length), line.Length);
            return;
        }
        if (line.IsSingleSegment)
        {
            _onLine(line.FirstSpan);
            return;
        }
        line.CopyTo(_scratch);
        _onLine(_scratch.AsSpan(0, (int)line.Length));
    }
}
