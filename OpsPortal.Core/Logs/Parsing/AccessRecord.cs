using System.Net;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// One parsed access-log line: one property per column of the <c>access</c> table, plus
/// <see cref="RemoteHost"/> and <see cref="RawRequest"/> for lines that do not fit the columns.
/// Mutable on purpose: ingestion parses millions of lines into one instance, and
/// <see cref="LogParser"/> calls <see cref="Reset"/> before filling it. The parser shares
/// <see cref="IPAddress"/> and string instances between records to save allocations, so treat them as immutable.
/// </summary>
internal sealed class AccessRecord
{
    /// <summary>The client address; null when the client was logged by name (see <see cref="RemoteHost"/>).</summary>
    public IPAddress? Ip { get; set; }

    /// <summary>The client as logged when it is a name, not an address (e.g. with <c>HostnameLookups On</c>).</summary>
    public string? RemoteHost { get; set; }

    /// <summary>From <c>$host</c> or <c>$server_name</c>, without a <c>:port</c> suffix.</summary>
    public string? Hostname { get; set; }

    /// <summary>From <c>$remote_user</c>; null for <c>-</c>.</summary>
    public string? Username { get; set; }

    /// <summary>Request time in UTC (<see cref="DateTimeKind.Utc"/>); <c>default</c> when the format has no time variable.</summary>
    public DateTime Date { get; set; }

    public string? Method { get; set; }
    public string? Path { get; set; }
    public string? Protocol { get; set; }
    public int? Status { get; set; }

    /// <summary>Bytes sent; <c>-</c> is 0, and sizes beyond <see cref="int.MaxValue"/> are capped there (the column is <c>integer</c>).</summary>
    public int Size { get; set; }

    public string? Referrer { get; set; }
    public string? UserAgent { get; set; }

    /// <summary><c>$request_time</c> in seconds.</summary>
    public double? ClientTime { get; set; }

    /// <summary><c>$upstream_response_time</c> in seconds, summed over every upstream tried.</summary>
    public double? BackendTime { get; set; }

    /// <summary>Address of the last upstream in <c>$upstream_addr</c> (the one that answered); null for unix sockets and names.</summary>
    public IPAddress? BackendIp { get; set; }

    public int? BackendPort { get; set; }

    /// <summary>Status of the last upstream in <c>$upstream_status</c>.</summary>
    public int? BackendStatus { get; set; }

    public string? SslCipher { get; set; }
    public string? SslProtocol { get; set; }
    public string? Scheme { get; set; }

    /// <summary>
    /// The request line as logged, set only when it is not <c>METHOD PATH PROTOCOL</c> (scanner
    /// junk, a TLS handshake sent to a plain port, an empty request); then Method, Path and Protocol are null.
    /// </summary>
    public string? RawRequest { get; set; }

    internal void Reset()
    {
        Ip = null;
        RemoteHost = null;
        Hostname = null;
        Username = null;
        Date = default;
        Method = null;
        Path = null;
        Protocol = null;
        Status = null;
        Size = 0;
        Referrer = null;
        UserAgent = null;
        ClientTime = null;
        BackendTime = null;
        BackendIp = null;
        BackendPort = null;
        BackendStatus = null;
        SslCipher = null;
        SslProtocol = null;
        Scheme = null;
        RawRequest = null;
    }
}
