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

    /// <summary>Every rejected line, whether its text was kept or not.</summary>
    public long RejectedTotal { get; set; }

    /// <summary>Rejected lines only counted: over the limit per request or per hour (<see cref="LogsOptions.MaxRejectsPerRequest"/>).</summary>
    public long RejectsNotKept { get; set; }

    /// <summary>The newest request time among accepted lines (UTC, as in the access table).</summary>
    public DateTime? LastLineAt { get; set; }
    public DateTimeOffset? LastReceivedAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }

    /// <summary>Files that went away before they were read to their end (a rotation while the portal was stopped).</summary>
    public int LossCount { get; set; }

    /// <summary>Bytes known to be lost with them; what such a file got after it was last seen is not known.</summary>
    public long LostBytes { get; set; }

    /// <summary>What the latest loss was, in a sentence.</summary>
    public string? LastLoss { get; set; }
    public DateTimeOffset? LastLossAt { get; set; }
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

    /// <summary>The file's size when the cursor was written: what is known to exist beyond <see cref="Offset"/>.</summary>
    public long Size { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// An <c>Idempotency-Key</c> of <c>POST /api/logs</c> and the answer its request got, kept
/// <see cref="LogsOptions.IdempotencyKeyRetention"/> (written and read by <c>RequestIngestor</c> in the request's transaction).
/// </summary>
public class LogIngestKey
{
    public required string Actor { get; set; }
    public required string Key { get; set; }
    public required byte[] BodySha256 { get; set; }
    public string? SourceName { get; set; }
    public long? Accepted { get; set; }
    public long? Rejected { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
