using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Syslog;

/// <summary>
/// Parses RFC 3164 and RFC 5424 messages over their bytes, without allocating. RFC 3164 is a
/// description of practice rather than a grammar, so that side is tolerant (no timestamp, no
/// host, an ISO timestamp); RFC 5424 is parsed by its grammar.
/// </summary>
internal static partial class SyslogParser
{
    /// <summary>RFC 5424's limit for APP-NAME, and the length of <see cref="LogSource.SyslogTag"/>.</summary>
    public const int MaxTagLength = 48;

    private const int MaxPriority = 191;
    private const int MaxHostLength = 255;
    private const int MaxProcessIdLength = 128;
    private const int MaxMessageIdLength = 32;

    public static string Describe(SyslogParseError error) => error switch
    {
        SyslogParseError.None => "ok",
        SyslogParseError.Empty => "empty message",
        SyslogParseError.BadPriority => "no valid <PRI> (0 to 191) at the start",
        SyslogParseError.BadTimestamp => "RFC 5424 TIMESTAMP is neither '-' nor a date-time",
        SyslogParseError.BadHeader => "RFC 5424 header is incomplete or a field is too long",
        SyslogParseError.BadStructuredData => "RFC 5424 STRUCTURED-DATA is malformed",
        _ => error.ToString(),
    };

    public static bool TryParse(ReadOnlySpan<byte> data, out SyslogMessage message, out SyslogParseError error)
    {
        message = default;
        data = TrimEnd(data);
        if (data.IsEmpty)
        {
            error = SyslogParseError.Empty;
            return false;
        }
        if (!TryReadPriority(ref data, out var priority))
        {
            error = SyslogParseError.BadPriority;
            return false;
        }
        error = IsRfc5424Version(data)
            ? ParseRfc5424(data, priority, out message)
            : ParseRfc3164(data, priority, out message);
        return error == SyslogParseError.None;
    }

    private static bool TryReadPriority(scoped ref ReadOnlySpan<byte> data, out int priority)
    {
        priority = 0;
        if (data[0] != (byte)'<')
        {
            return false;
        }
        var i = 1;
        while (i < data.Length && i <= 4 && IsDigit(data[i]))
        {
            priority = (priority * 10) + (data[i] - '0');
            i++;
        }
        if (i == 1 || i > 4 || i >= data.Length || data[i] != (byte)'>' || priority > MaxPriority)
        {
            return false;
        }
        data = data[(i + 1)..];
        return true;
    }

    /// <summary>RFC 5424's VERSION (1–2 digits, no leading zero) then a space; 3164 starts with a month.</summary>
    private static bool IsRfc5424Version(ReadOnlySpan<byte> data) =>
        data.Length >= 2 && data[0] is >= (byte)'1' and <= (byte)'9'
        && (data[1] == (byte)' ' || (data.Length >= 3 && IsDigit(data[1]) && data[2] == (byte)' '));

    private static SyslogParseError ParseRfc5424(ReadOnlySpan<byte> data, int priority, out SyslogMessage message)
    {
        message = default;
        data = data[(data.IndexOf((byte)' ') + 1)..];
        if (!TryField(ref data, int.MaxValue, out var timestamp))
        {
            return SyslogParseError.BadHeader;
        }
        if (!timestamp.IsEmpty && !LooksLikeDateTime(timestamp))
        {
            return SyslogParseError.BadTimestamp;
        }
        if (!TryField(ref data, MaxHostLength, out var host) || !TryField(ref data, MaxTagLength, out var appName)
            || !TryField(ref data, MaxProcessIdLength, out var processId) || !TryField(ref data, MaxMessageIdLength, out var messageId))
        {
            return SyslogParseError.BadHeader;
        }
        if (!TryStructuredData(ref data, out var structuredData))
        {
            return SyslogParseError.BadStructuredData;
        }
        var text = data.IsEmpty ? data : data[1..];
        if (text.StartsWith("\uFEFF"u8))
        {
            text = text[3..];
        }
        message = new SyslogMessage
        {
            Format = SyslogFormat.Rfc5424,
            Priority = priority,
            Timestamp = timestamp,
            Host = host,
            Tag = appName,
            ProcessId = processId,
            MessageId = messageId,
            StructuredData = structuredData,
            Message = text,
        };
        return SyslogParseError.None;
    }

    /// <summary>A header field: printable ASCII up to one space; <c>-</c> (NILVALUE) yields empty.</summary>
    private static bool TryField(scoped ref ReadOnlySpan<byte> data, int maxLength, out ReadOnlySpan<byte> field)
    {
        field = default;
        var end = data.IndexOf((byte)' ');
        if (end <= 0 || end > maxLength || data[..end].ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            return false;
        }
        field = end == 1 && data[0] == (byte)'-' ? default : data[..end];
        data = data[(end + 1)..];
        return true;
    }

    private static bool LooksLikeDateTime(ReadOnlySpan<byte> t) =>
        t.Length >= 19 && IsDigit(t[0]) && IsDigit(t[3]) && t[4] == (byte)'-' && t[7] == (byte)'-' && t[10] == (byte)'T'
        && t[13] == (byte)':' && t[16] == (byte)':';

    /// <summary>
    /// <c>-</c>, or one or more <c>[ID name="value" …]</c>; inside a value a backslash escapes the
    /// next byte and <c>]</c> does not close the element. What follows must be nothing or a space.
    /// </summary>
    private static bool TryStructuredData(scoped ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> sd)
    {
        sd = default;
        if (data.IsEmpty)
        {
            return false;
        }
        var i = 0;
        if (data[0] == (byte)'-')
        {
            i = 1;
        }
        else
        {
            while (i < data.Length && data[i] == (byte)'[')
            {
                var close = ElementEnd(data, i + 1);
                if (close < 0)
                {
                    return false;
                }
                i = close + 1;
            }
            if (i == 0)
            {
                return false;
            }
            sd = data[..i];
        }
        if (i < data.Length && data[i] != (byte)' ')
        {
            return false;
        }
        data = data[i..];
        return true;
    }

    private static int ElementEnd(ReadOnlySpan<byte> data, int start)
    {
        var quoted = false;
        for (var i = start; i < data.Length; i++)
        {
            switch (data[i])
            {
                case (byte)'\\' when quoted:
                    i++;
                    break;
                case (byte)'"':
                    quoted = !quoted;
                    break;
                case (byte)']' when !quoted:
                    return i > start ? i : -1;
            }
        }
        return -1;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>Senders end messages with LF, CRLF or NUL even over UDP; none of it is payload.</summary>
    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> data) => data.TrimEnd("\r\n\0"u8);
}
