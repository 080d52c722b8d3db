using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Core.Logs;

/// <summary>The <c>OpsPortal:Logs</c> configuration section.</summary>
public sealed class LogsOptions
{
    public const string Section = "OpsPortal:Logs";

    /// <summary>Days of access logs kept; older daily partitions are dropped by the maintenance job.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Days rejected lines are kept for inspection.</summary>
    public int RejectRetentionDays { get; set; } = 7;

    /// <summary>Daily partitions created ahead of time (today plus this many).</summary>
    public int PartitionsAhead { get; set; } = 2;

    /// <summary>Largest <c>POST /api/logs</c> body, after gzip decompression (413 beyond it).</summary>
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Lines longer than this are rejected with that reason.</summary>
    public int MaxLineLength { get; set; } = LogParserOptions.DefaultMaxLineLength;

    /// <summary>
    /// Rejected lines stored with their text per request (or per batch of a file or syslog source);
    /// the rest are counted on the source (<c>rejects_not_kept</c>), so junk cannot multiply into rows.
    /// </summary>
    public int MaxRejectsPerRequest { get; set; } = 100;

    /// <summary>Rejected lines stored with their text per source and hour, whatever the number of requests.</summary>
    public int MaxRejectsPerSourceHour { get; set; } = 1000;

    /// <summary>
    /// How long an <c>Idempotency-Key</c> of <c>POST /api/logs</c> is remembered: a retry within it
    /// gets the first answer and stores nothing again. At least 24 hours.
    /// </summary>
    public TimeSpan IdempotencyKeyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Directories file sources may read, separated by <c>:</c> (like PATH). A file source outside them
    /// is refused when saved and not read when tailed (its real path counts, after symlinks).
    /// </summary>
    public string AllowedPaths { get; set; } = "/var/log";

    /// <summary>Rows per COPY batch.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// UDP port for syslog (RFC 3164/5424, as nginx's <c>access_log syslog:server=…</c> sends);
    /// 0, the default, turns it off. The tag of each message picks the syslog source.
    /// </summary>
    public int SyslogUdpPort { get; set; }

    /// <summary>TCP port for syslog (octet-counted or newline framing, RFC 6587); 0, the default, turns it off.</summary>
    public int SyslogTcpPort { get; set; }

    /// <summary>
    /// Address the syslog ports listen on. All IPv4 interfaces by default, since a collector
    /// receives from other machines; the ports themselves are off until set (docs/decisions/ADR-006).
    /// <c>::</c> listens on IPv6 and IPv4, <c>127.0.0.1</c> on this machine only.
    /// </summary>
    public string SyslogBindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Whether this process ingests from sources it must go and read (file tails). Off for processes
    /// that only serve; with several nodes on, an advisory lock per source keeps one reader each.
    /// </summary>
    public bool RunIngestion { get; set; } = true;

    /// <summary>How often a tailed file at its end is checked for new lines and rotation.</summary>
    public TimeSpan TailPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the source list is re-read (new, changed, removed sources) and held locks checked.</summary>
    public TimeSpan SourceReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often minutes written since the last round are rolled up (docs/decisions/ADR-009).</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(10);
}
