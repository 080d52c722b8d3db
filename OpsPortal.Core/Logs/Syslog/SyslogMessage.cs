namespace OpsPortal.Core.Logs.Syslog;

internal enum SyslogFormat
{
    /// <summary>BSD syslog: <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG: MSG</c> (nginx, most daemons).</summary>
    Rfc3164,

    /// <summary><c>&lt;PRI&gt;1 TIMESTAMP HOST APP-NAME PROCID MSGID SD MSG</c>.</summary>
    Rfc5424,
}

internal enum SyslogParseError
{
    None,
    Empty,
    BadPriority,
    BadTimestamp,
    BadHeader,
    BadStructuredData,
}

/// <summary>
/// One parsed syslog message: views into the bytes it was parsed from, valid as long as they are.
/// Fields a sender left out (or sent as RFC 5424's <c>-</c>) are empty.
/// </summary>
internal readonly ref struct SyslogMessage
{
    public SyslogFormat Format { get; init; }

    /// <summary>The PRI value: facility × 8 + severity.</summary>
    public int Priority { get; init; }

    public int Facility => Priority >> 3;

    /// <summary>0 emergency … 7 debug; nginx sends 6 (info) for access logs by default.</summary>
    public int Severity => Priority & 7;

    /// <summary>As sent; access lines carry their own time, so this is not parsed further.</summary>
    public ReadOnlySpan<byte> Timestamp { get; init; }

    public ReadOnlySpan<byte> Host { get; init; }

    /// <summary>RFC 3164's TAG or RFC 5424's APP-NAME: what routes a message to its source.</summary>
    public ReadOnlySpan<byte> Tag { get; init; }

    public ReadOnlySpan<byte> ProcessId { get; init; }

    /// <summary>RFC 5424 only.</summary>
    public ReadOnlySpan<byte> MessageId { get; init; }

    /// <summary>RFC 5424 only: the raw SD elements, brackets included.</summary>
    public ReadOnlySpan<byte> StructuredData { get; init; }

    /// <summary>The payload (for nginx, the access line), without a BOM or trailing newline.</summary>
    public ReadOnlySpan<byte> Message { get; init; }
}
