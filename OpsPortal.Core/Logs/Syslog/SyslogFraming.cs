using System.Buffers;
using OpsPortal.Core.Logs.Ingest;

namespace OpsPortal.Core.Logs.Syslog;

internal enum SyslogFramingMode
{
    /// <summary>Nothing read yet on this connection.</summary>
    Unknown,

    /// <summary>RFC 6587 3.4.1: <c>LEN SP MSG</c>.</summary>
    OctetCounting,

    /// <summary>RFC 6587 3.4.2: messages end with LF (CRLF and NUL tolerated), as nginx and most daemons send.</summary>
    NonTransparent,
}

internal enum SyslogFrameStatus
{
    /// <summary>No complete frame in the buffer: read more, then call again.</summary>
    NeedMoreData,

    Frame,

    /// <summary>The frame exceeds the limit: its start is returned, the rest is skipped as it arrives.</summary>
    TooLong,

    /// <summary>An octet count that is not a number: the stream cannot be resynchronised; close it.</summary>
    Invalid,
}

/// <summary>
/// Splits one TCP connection's bytes into syslog messages (RFC 6587). The framing is chosen from
/// the first byte — a digit means octet counting, since a message itself starts with <c>&lt;</c> —
/// and kept for the connection. Memory is bounded by the frame limit: an oversize frame is reported
/// with its start (enough to route and reject it) and the rest is discarded without buffering.
/// </summary>
internal sealed class SyslogFraming(int maxFrameLength)
{
    /// <summary>How much of an oversize frame is handed back: enough for the header and a reject's raw text.</summary>
    public const int TooLongPrefixLength = AccessWriter.MaxRawRejectLength + 512;

    private const int MaxLengthDigits = 9;

    private long _skipOctets;
    private bool _skipToDelimiter;

    public int MaxFrameLength { get; } = maxFrameLength;
    public SyslogFramingMode Mode { get; private set; }

    /// <summary>
    /// Takes the next frame off the front of <paramref name="buffer"/>. The frame is a slice of the
    /// buffer, so it is valid until the caller advances its reader past it.
    /// </summary>
    /// <param name="isCompleted">The peer closed: a last newline-framed message without its LF still counts.</param>
    public SyslogFrameStatus Read(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (Mode == SyslogFramingMode.Unknown)
        {
            if (buffer.IsEmpty)
            {
                return SyslogFrameStatus.NeedMoreData;
            }
            var first = buffer.FirstSpan[0];
            Mode = first is >= (byte)'0' and <= (byte)'9' ? SyslogFramingMode.OctetCounting : SyslogFramingMode.NonTransparent;
        }
        return Mode == SyslogFramingMode.OctetCounting
            ? ReadOctetCounted(ref buffer, isCompleted, out frame)
            : ReadDelimited(ref buffer, isCompleted, out frame);
    }

    private SyslogFrameStatus ReadOctetCounted(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_skipOctets > 0)
        {
            var skip = Math.Min(_skipOctets, buffer.Length);
            buffer = buffer.Slice(skip);
            _skipOctets -= skip;
            if (_skipOctets > 0)
            {
                return SyslogFrameStatus.NeedMoreData;
            }
        }
        // Some senders end octet-counted frames with a newline anyway; it belongs to no frame.
        while (!buffer.IsEmpty && buffer.FirstSpan[0] is (byte)'\n' or (byte)'\r' or 0)
        {
            buffer = buffer.Slice(1);
        }
        if (buffer.IsEmpty)
        {
            return SyslogFrameStatus.NeedMoreData;
        }

        var reader = new SequenceReader<byte>(buffer);
        long length = 0;
        var digits = 0;
        while (reader.TryRead(out var b))
        {
            if (b == (byte)' ' && digits > 0)
            {
                break;
            }
            if (b is < (byte)'0' or > (byte)'9' || (digits == 0 && b == (byte)'0') || ++digits > MaxLengthDigits)
            {
                return SyslogFrameStatus.Invalid;
            }
            length = (length * 10) + (b - '0');
        }
        if (reader.End && (digits == 0 || reader.Consumed == digits))
        {
            // The count itself is still arriving (or the peer closed in the middle of it).
            return isCompleted ? SyslogFrameStatus.Invalid : SyslogFrameStatus.NeedMoreData;
        }
        var body = buffer.Slice(reader.Position);
        if (length > MaxFrameLength)
        {
            var wanted = Math.Min(length, TooLongPrefixLength);
            if (body.Length < wanted && !isCompleted)
            {
                return SyslogFrameStatus.NeedMoreData;
            }
            var taken = Math.Min(body.Length, length);
            frame = body.Slice(0, Math.Min(body.Length, wanted));
            buffer = body.Slice(taken);
            _skipOctets = length - taken;
            return SyslogFrameStatus.TooLong;
        }
        if (body.Length < length && !isCompleted)
        {
            return SyslogFrameStatus.NeedMoreData;
        }
        // A peer that closes mid-frame: what arrived is delivered, and a cut access line becomes a reject.
        frame = body.Slice(0, Math.Min(body.Length, length));
        buffer = body.Slice(frame.Length);
        return SyslogFrameStatus.Frame;
    }

    private SyslogFrameStatus ReadDelimited(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        while (!buffer.IsEmpty)
        {
            var reader = new SequenceReader<byte>(buffer);
            if (!reader.TryReadToAny(out ReadOnlySequence<byte> line, "\n\0"u8))
            {
                return ReadUnterminated(ref buffer, isCompleted, out frame);
            }
            buffer = buffer.Slice(reader.Position);
            if (_skipToDelimiter)
            {
                _skipToDelimiter = false;
                continue;
            }
            line = TrimCarriageReturns(line);
            if (line.IsEmpty)
            {
                continue;
            }
            if (line.Length > MaxFrameLength)
            {
                frame = line.Slice(0, Math.Min(line.Length, TooLongPrefixLength));
                return SyslogFrameStatus.TooLong;
            }
            frame = line;
            return SyslogFrameStatus.Frame;
        }
        return SyslogFrameStatus.NeedMoreData;
    }

    private SyslogFrameStatus ReadUnterminated(ref ReadOnlySequence<byte> buffer, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_skipToDelimiter)
        {
            buffer = buffer.Slice(buffer.End);
            return SyslogFrameStatus.NeedMoreData;
        }
        if (buffer.Length > MaxFrameLength)
        {
            frame = buffer.Slice(0, Math.Min(buffer.Length, TooLongPrefixLength));
            buffer = buffer.Slice(buffer.End);
            _skipToDelimiter = !isCompleted;
            return SyslogFrameStatus.TooLong;
        }
        if (!isCompleted)
        {
            return SyslogFrameStatus.NeedMoreData;
        }
        frame = TrimCarriageReturns(buffer);
        buffer = buffer.Slice(buffer.End);
        return frame.IsEmpty ? SyslogFrameStatus.NeedMoreData : SyslogFrameStatus.Frame;
    }

    private static ReadOnlySequence<byte> TrimCarriageReturns(ReadOnlySequence<byte> line)
    {
        var length = line.Length;
        while (length > 0 && line.Slice(length - 1, 1).FirstSpan[0] == (byte)'\r')
        {
            length--;
        }
        return line.Slice(0, length);
    }
}
