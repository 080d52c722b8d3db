namespace OpsPortal.Core.Logs.Syslog;

/// <summary>
/// RFC 3164 describes practice rather than a grammar; this side takes what senders actually
/// write: a timestamp or none, a host or none, <c>TAG:</c> or <c>TAG[PID]:</c>.
/// </summary>
internal static partial class SyslogParser
{
    private static SyslogParseError ParseRfc3164(ReadOnlySpan<byte> data, int priority, out SyslogMessage message)
    {
        var timestamp = ReadRfc3164Timestamp(ref data);
        ReadOnlySpan<byte> host = default, text;
        if (TryTag(data, out var tag, out var processId, out var afterTag))
        {
            text = afterTag;
        }
        else if (!timestamp.IsEmpty && data.IndexOf((byte)' ') is > 0 and <= MaxHostLength and var hostEnd)
        {
            // Without a timestamp, RFC 3164 says the rest is all message: no host to take.
            host = data[..hostEnd];
            var rest = data[(hostEnd + 1)..];
            text = TryTag(rest, out tag, out processId, out afterTag) ? afterTag : rest;
        }
        else
        {
            text = data;
        }
        message = new SyslogMessage
        {
            Format = SyslogFormat.Rfc3164,
            Priority = priority,
            Timestamp = timestamp,
            Host = host,
            Tag = tag,
            ProcessId = processId,
            Message = text,
        };
        return SyslogParseError.None;
    }

    /// <summary><c>Mmm dd hh:mm:ss</c> (day space-padded, optional fraction) or an ISO 8601 token (rsyslog).</summary>
    private static ReadOnlySpan<byte> ReadRfc3164Timestamp(scoped ref ReadOnlySpan<byte> data)
    {
        var end = 0;
        if (data.Length > 15 && IsMonth(data[..3]) && data[3] == (byte)' ' && (data[4] == (byte)' ' || IsDigit(data[4]))
            && IsDigit(data[5]) && data[6] == (byte)' ' && IsClock(data.Slice(7, 8)))
        {
            end = 15;
            if (data[end] == (byte)'.')
            {
                do
                {
                    end++;
                }
                while (end < data.Length && IsDigit(data[end]));
            }
        }
        else if (LooksLikeDateTime(data[..Math.Min(data.Length, 19)]))
        {
            end = data.IndexOf((byte)' ') is var space and > 0 ? space : 0;
        }
        if (end == 0 || end >= data.Length || data[end] != (byte)' ')
        {
            return default;
        }
        var timestamp = data[..end];
        data = data[(end + 1)..];
        return timestamp;
    }

    /// <summary>
    /// <c>TAG: </c> or <c>TAG[PID]: </c> at the start. The colon is required, which is what tells a
    /// tag from a host name when the sender leaves the host out.
    /// </summary>
    private static bool TryTag(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> processId,
        out ReadOnlySpan<byte> text)
    {
        tag = processId = text = default;
        var end = data.IndexOfAny(" :["u8);
        if (end <= 0 || end > MaxTagLength || data[..end].ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            return false;
        }
        var colon = end;
        if (data[end] == (byte)'[')
        {
            var close = data[end..].IndexOf((byte)']');
            if (close < 0)
            {
                return false;
            }
            processId = data[(end + 1)..(end + close)];
            colon = end + close + 1;
        }
        if (colon >= data.Length || data[colon] != (byte)':' || (colon + 1 < data.Length && data[colon + 1] != (byte)' '))
        {
            return false;
        }
        tag = data[..end];
        text = colon + 2 <= data.Length ? data[(colon + 2)..] : default;
        return true;
    }

    private static bool IsMonth(ReadOnlySpan<byte> m) =>
        m.SequenceEqual("Jan"u8) || m.SequenceEqual("Feb"u8) || m.SequenceEqual("Mar"u8) || m.SequenceEqual("Apr"u8)
        || m.SequenceEqual("May"u8) || m.SequenceEqual("Jun"u8) || m.SequenceEqual("Jul"u8) || m.SequenceEqual("Aug"u8)
        || m.SequenceEqual("Sep"u8) || m.SequenceEqual("Oct"u8) || m.SequenceEqual("Nov"u8) || m.SequenceEqual("Dec"u8);

    private static bool IsClock(ReadOnlySpan<byte> c) =>
        IsDigit(c[0]) && IsDigit(c[1]) && c[2] == (byte)':' && IsDigit(c[3]) && IsDigit(c[4]) && c[5] == (byte)':'
        && IsDigit(c[6]) && IsDigit(c[7]);
}
