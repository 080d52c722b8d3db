using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// A compiled log format (see <see cref="LogFormat.Compile(string)"/>). Parses directly over the
/// UTF-8 bytes of a line: literal text is matched, each variable's value is located by the
/// literal that follows it and decoded into the <see cref="AccessRecord"/>. Thread-safe: one
/// instance can serve every source using the format.
/// </summary>
public sealed class LogParser
{
    private const int StackEncodeLimit = 1024;
    private const int LiteralNotFound = -1;
    private const int QuoteNotFollowedByLiteral = -2;

    private readonly byte[] _prefix;
    private readonly LogSegment[] _segments;
    private readonly FieldDecoder _decoder = new();

    internal LogParser(string format, byte[] prefix, LogSegment[] segments, int maxLineLength)
    {
        Format = format;
        _prefix = prefix;
        _segments = segments;
        MaxLineLength = maxLineLength;
        Variables = [.. segments.Select(s => s.Name)];
        ProvidesHostname = segments.Any(s => s.Variable is LogVariable.Host or LogVariable.ServerName);
        ProvidesDate = segments.Any(s => s.Variable is LogVariable.TimeLocal or LogVariable.TimeIso8601 or LogVariable.Msec);
    }

    /// <summary>The nginx <c>log_format</c> string this parser was compiled from.</summary>
    public string Format { get; }

    public int MaxLineLength { get; }

    /// <summary>The variable names of the format, in order, without <c>$</c>.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Whether lines fill <see cref="AccessRecord.Hostname"/>; if not, a source's host label should.</summary>
    public bool ProvidesHostname { get; }

    /// <summary>Whether lines fill <see cref="AccessRecord.Date"/>; if not, the time of ingestion should.</summary>
    public bool ProvidesDate { get; }

    /// <summary>
    /// Parses one line (a trailing <c>\n</c> or <c>\r\n</c> is ignored) into <paramref name="into"/>.
    /// On false the record is reset, never half-filled, and <paramref name="rejectReason"/> says why.
    /// </summary>
    internal bool TryParse(ReadOnlySpan<byte> utf8Line, AccessRecord into, [NotNullWhen(false)] out string? rejectReason)
    {
        ArgumentNullException.ThrowIfNull(into);
        rejectReason = Parse(TrimNewline(utf8Line), into);
        if (rejectReason is null)
        {
            return true;
        }

        into.Reset();
        return false;
    }

    internal bool TryParse(string line, AccessRecord into, [NotNullWhen(false)] out string? rejectReason)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(into);

        // A UTF-8 line is at least as many bytes as chars, so this bounds the buffer without encoding.
        if (line.AsSpan().TrimEnd("\r\n").Length > MaxLineLength)
        {
            into.Reset();
            rejectReason = TooLong();
            return false;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(line.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= StackEncodeLimit
            ? stackalloc byte[StackEncodeLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(line, buffer);
            return TryParse(buffer[..length], into, out rejectReason);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private string? Parse(ReadOnlySpan<byte> line, AccessRecord r)
    {
        if (line.Length > MaxLineLength)
        {
            return TooLong();
        }

        if (line.IsEmpty)
        {
            return "empty line";
        }

        r.Reset();
        if (!line.StartsWith(_prefix))
        {
            return Expected(_prefix, 0);
        }

        var pos = _prefix.Length;
        foreach (var segment in _segments)
        {
            var end = FindValueEnd(segment, line, pos);
            if (end < 0)
            {
                return end == QuoteNotFollowedByLiteral
                    ? Expected(segment.LiteralAfter, QuoteAt(line, pos))
                    : NotFound(segment, line, pos);
            }

            if (_decoder.Decode(segment, line[pos..end], r) is { } reason)
            {
                return reason;
            }

            pos = end + segment.LiteralAfter.Length;
        }

        return pos == line.Length ? null : $"unexpected text at column {pos + 1}";
    }

    /// <summary>Where the value starting at <paramref name="start"/> ends; the literal after it is known to follow.</summary>
    private static int FindValueEnd(LogSegment segment, ReadOnlySpan<byte> line, int start)
    {
        var literal = segment.LiteralAfter;
        switch (segment.Scan)
        {
            case ValueScan.ToEnd:
                return line.Length;
            case ValueScan.Quoted:
                var quote = QuoteAt(line, start);
                return quote < 0 ? LiteralNotFound
                    : line[quote..].StartsWith(literal) ? quote : QuoteNotFollowedByLiteral;
            case ValueScan.TimeLocal:
                var end = start + LogTime.TimeLocalLength;
                return end <= line.Length && line[end..].StartsWith(literal) ? end : FindLiteral(line, start, literal);
            case ValueScan.UpstreamList:
                return FindUpstreamListEnd(line, start, literal);
            default:
                return FindLiteral(line, start, literal);
        }
    }

    // Searching for the first byte and comparing the rest beats a substring search here: the
    // values are short, so the substring search's set-up would cost more than the scan.
    private static int FindLiteral(ReadOnlySpan<byte> line, int from, byte[] literal)
    {
        var first = literal[0];
        while (true)
        {
            var at = line[from..].IndexOf(first);
            if (at < 0)
            {
                return LiteralNotFound;
            }

            var end = from + at;
            if (line[end..].StartsWith(literal))
            {
                return end;
            }

            from = end + 1;
        }
    }

    private static int FindUpstreamListEnd(ReadOnlySpan<byte> line, int start, byte[] literal)
    {
        var from = start;
        while (true)
        {
            var end = FindLiteral(line, from, literal);
            var separator = end < 0 ? 0 : UpstreamList.SeparatorAt(line, start, end);
            if (separator == 0)
            {
                return end;
            }

            from = end + separator;
        }
    }

    /// <summary>The first <c>"</c> not escaped by a backslash, as Apache and nginx's JSON escaping write them.</summary>
    private static int QuoteAt(ReadOnlySpan<byte> line, int start)
    {
        var i = start;
        while (i < line.Length)
        {
            var at = line[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (at < 0)
            {
                return -1;
            }

            i += at;
            if (line[i] == '"')
            {
                return i;
            }

            i += 2;
        }

        return -1;
    }

    private static ReadOnlySpan<byte> TrimNewline(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == '\n')
        {
            line = line[..^1];
        }

        if (line.Length > 0 && line[^1] == '\r')
        {
            line = line[..^1];
        }

        return line;
    }

    private string TooLong() => $"line longer than {MaxLineLength} bytes";

    private static string NotFound(LogSegment segment, ReadOnlySpan<byte> line, int start) =>
        segment.Quoted
            ? $"expected '\"' at column {line.Length + 1}: {segment.Name} from column {start + 1} is never closed"
            : $"expected '{Encoding.UTF8.GetString(segment.LiteralAfter)}' after {segment.Name} at column {start + 1}";

    private static string Expected(byte[] literal, int at) =>
        $"expected '{Encoding.UTF8.GetString(literal)}' at column {at + 1}";
}
