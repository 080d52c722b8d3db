namespace OpsPortal.Core.Logs.Parsing;

internal enum LogVariable : byte
{
    /// <summary>A value that is matched but not kept (an ignored unknown variable, or a duplicate source of a column).</summary>
    Skip,
    RemoteAddr,
    RemoteUser,
    TimeLocal,
    TimeIso8601,
    Msec,
    Request,
    RequestMethod,
    RequestUri,
    ServerProtocol,
    Status,
    BodyBytesSent,
    BytesSent,
    HttpReferer,
    HttpUserAgent,
    Host,
    ServerName,
    RequestTime,
    UpstreamResponseTime,
    UpstreamAddr,
    UpstreamStatus,
    SslCipher,
    SslProtocol,
    Scheme,
}

internal static class LogVariables
{
    // nginx looks variables up case-insensitively, so a format copied from any config compiles.
    public static readonly IReadOnlyDictionary<string, LogVariable> ByName =
        new Dictionary<string, LogVariable>(StringComparer.OrdinalIgnoreCase)
        {
            ["remote_addr"] = LogVariable.RemoteAddr,
            ["remote_user"] = LogVariable.RemoteUser,
            ["time_local"] = LogVariable.TimeLocal,
            ["time_iso8601"] = LogVariable.TimeIso8601,
            ["msec"] = LogVariable.Msec,
            ["request"] = LogVariable.Request,
            ["request_method"] = LogVariable.RequestMethod,
            ["request_uri"] = LogVariable.RequestUri,
            ["server_protocol"] = LogVariable.ServerProtocol,
            ["status"] = LogVariable.Status,
            ["body_bytes_sent"] = LogVariable.BodyBytesSent,
            ["bytes_sent"] = LogVariable.BytesSent,
            ["http_referer"] = LogVariable.HttpReferer,
            ["http_user_agent"] = LogVariable.HttpUserAgent,
            ["host"] = LogVariable.Host,
            ["server_name"] = LogVariable.ServerName,
            ["request_time"] = LogVariable.RequestTime,
            ["upstream_response_time"] = LogVariable.UpstreamResponseTime,
            ["upstream_addr"] = LogVariable.UpstreamAddr,
            ["upstream_status"] = LogVariable.UpstreamStatus,
            ["ssl_cipher"] = LogVariable.SslCipher,
            ["ssl_protocol"] = LogVariable.SslProtocol,
            ["scheme"] = LogVariable.Scheme,
        };

    public static string SupportedList { get; } = string.Join(" ", ByName.Keys.Select(k => "$" + k));
}
