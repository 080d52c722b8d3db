namespace OpsPortal.Core.Logs.Sources;

public enum LogSourceKind
{
    File,
    Syslog,
    Http,
    Import,
}

/// <summary>
/// Where access-log lines come from, managed by Admins on the Sources page. Counters are kept
/// here (updated in the same transaction as the rows), so every app node reports the same totals.
/// </summary>
public class LogSource
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public LogSourceKind Kind { get; set; }

    /// <summary>A preset name (<c>combined</c>, <c>opsportal</c> …) or an nginx <c>log_format</c> string.</summary>
    public required string Format { get; set; }

    /// <summary>Fills <c>hostname</c> for formats without <c>$host</c>.</summary>
    public string? HostLabel { get; set; }

    /// <summary>The file to follow (file sources).</summary>
    public string? Path { get; set; }

    /// <summary>The syslog tag (APP-NAME) that routes messages to this source (syslog sources).</summary>
    public string? SyslogTag { get; set; }

    public bool Enabled { get; set; } = true;
    public bool IsDemo { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public long AcceptedTotal { get; set; }
    public long RejectedTotal { get; set; }

    /// <summary>The newest request time among accepted lines (UTC, as in the access table).</summary>
    public DateTime? LastLineAt { get; set; }
    public DateTimeOffset? LastReceivedAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
}

/// <summary>A line that did not parse, kept (for a bounded time) with its reason so nothing is dropped silently.</summary>
public class LogReject
{
    public long Id { get; set; }
    public int SourceId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Reason { get; set; }
    public required string Raw { get; set; }
}

/// <summary>How far a file source has read: written in the same transaction as the rows it covers.</summary>
public class LogFileCursor
{
    public int SourceId { get; set; }

    /// <summary>Identity of the file read (device and inode), to notice rotation across restarts.</summary>
    public required string FileId { get; set; }
    public long Offset { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
