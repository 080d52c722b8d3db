namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// Turns one variable's bytes into the <see cref="AccessRecord"/> column it feeds. Returns null on
/// success or a short reason naming the variable and the bad value.
/// </summary>
internal sealed class FieldDecoder
{
    private const int MaxShownValue = 64;

    // Short, highly repeated tokens: hosts, users, TLS names, unusual methods and protocols.
    private readonly Utf8StringCache _tokens = new(slots: 1024, maxLength: 128);

    // User agents and referrers: few distinct values make up most lines.
    private readonly Utf8StringCache _texts = new(slots: 4096, maxLength: 1024);
    // Paths: a few (health checks, assets, the home page) are most of the traffic.
    private readonly Utf8StringCache _paths = new(slots: 4096, maxLength: 256);
    // Query strings: mostly one-offs, but polling pages repeat theirs (?page=1, ?tab=logs).
    private readonly Utf8StringCache _queries = new(slots: 1024, maxLength: 256);
    private readonly IPAddressCache _ips = new(v4Slots: 8192, v6Slots: 2048);

    public string? Decode(LogSegment segment, ReadOnlySpan<byte> v, AccessRecord r)
    {
        // nginx writes "-" for a variable with no value.
        var none = v.Length == 1 && v[0] == '-';
        switch (segment.Variable)
        {
            case LogVariable.Skip:
                return null;
            case LogVariable.RemoteAddr:
                DecodeClient(v, none, r);
                return null;
            case LogVariable.RemoteUser:
                r.Username = none ? null : _tokens.Get(v);
                return null;
            case LogVariable.TimeLocal:
                return LogTime.TryParseLocal(v, out var local) ? SetDate(r, local) : Bad(segment, v);
            case LogVariable.TimeIso8601:
                return LogTime.TryParseIso8601(v, out var iso) ? SetDate(r, iso) : Bad(segment, v);
            case LogVariable.Msec:
                return LogTime.TryParseMsec(v, out var msec) ? SetDate(r, msec) : Bad(segment, v);
            case LogVariable.Request:
                DecodeRequest(v, r);
                return null;
            case LogVariable.RequestMethod:
                r.Method = none ? null : RequestLine.KnownMethod(v) ?? _tokens.Get(v);
                return null;
            case LogVariable.RequestUri:
                if (!none)
                {
                    SetPathAndQuery(v, r);
                }
                return null;
            case LogVariable.ServerProtocol:
                r.Protocol = none ? null : RequestLine.KnownProtocol(v) ?? _tokens.Get(v);
                return null;
            case LogVariable.Status:
                return DecodeStatus(segment, v, none, out var status) ?? SetStatus(r, status);
            case LogVariable.BodyBytesSent:
            case LogVariable.BytesSent:
                return DecodeSize(segment, v, none, r);
            case LogVariable.HttpReferer:
                r.Referrer = none ? null : _texts.Get(v);
                return null;
            case LogVariable.HttpUserAgent:
                r.UserAgent = none ? null : _texts.Get(v);
                return null;
            case LogVariable.Host:
            case LogVariable.ServerName:
                r.Hostname = none ? null : _tokens.Get(WithoutPort(v));
                return null;
            case LogVariable.RequestTime:
                return DecodeSeconds(segment, v, none, out var clientTime) ?? SetClientTime(r, clientTime);
            case LogVariable.UpstreamResponseTime:
                if (!UpstreamList.TrySumSeconds(v, out var backendTime))
                {
                    return Bad(segment, v);
                }

                r.BackendTime = backendTime;
                return null;
            case LogVariable.UpstreamAddr:
                DecodeUpstreamAddr(UpstreamList.Last(v), r);
                return null;
            case LogVariable.UpstreamStatus:
                var last = UpstreamList.Last(v);
                return DecodeStatus(segment, last, last.SequenceEqual("-"u8), out var backendStatus)
                    ?? SetBackendStatus(r, backendStatus);
            case LogVariable.SslCipher:
                r.SslCipher = none ? null : _tokens.Get(v);
                return null;
            case LogVariable.SslProtocol:
                r.SslProtocol = none ? null : RequestLine.KnownTlsProtocol(v) ?? _tokens.Get(v);
                return null;
            case LogVariable.Scheme:
                r.Scheme = none ? null : RequestLine.KnownScheme(v) ?? _tokens.Get(v);
                return null;
            default:
                throw new InvalidOperationException($"No decoder for {segment.Variable}.");
        }
    }

    private void DecodeClient(ReadOnlySpan<byte> v, bool none, AccessRecord r)
    {
        if (none || v.IsEmpty)
        {
            return;
        }

        r.Ip = _ips.Get(v);
        if (r.Ip is null)
        {
            r.RemoteHost = _tokens.Get(v);
        }
    }

    private void DecodeRequest(ReadOnlySpan<byte> v, AccessRecord r)
    {
        if (!RequestLine.TrySplit(v, out var method, out var path, out var protocol))
        {
            r.RawRequest = StorableText.FromUtf8(v);
            return;
        }

        r.Method = RequestLine.KnownMethod(v[method]) ?? _tokens.Get(v[method]);
        SetPathAndQuery(v[path], r);
        r.Protocol = RequestLine.KnownProtocol(v[protocol]) ?? _tokens.Get(v[protocol]);
    }

    // The path is stored without its query string so that paths group (/screen?id=17&ts=… is one path,
    // not one per request); the query string goes to its own column (ADR-044). Only the first '?' splits.
    private void SetPathAndQuery(ReadOnlySpan<byte> uri, AccessRecord r)
    {
        var mark = uri.IndexOf((byte)'?');
        if (mark < 0)
        {
            r.Path = _paths.Get(uri);
            return;
        }
        r.Path = _paths.Get(uri[..mark]);
        r.Query = _queries.Get(uri[(mark + 1)..]);
    }

    private void DecodeUpstreamAddr(ReadOnlySpan<byte> last, AccessRecord r)
    {
        if (last.SequenceEqual("-"u8) || !UpstreamList.TrySplitHostPort(last, out var host, out var port))
        {
            return;
        }

        // A name here (nginx logs the group name when no server was live) has no address to store.
        r.BackendIp = _ips.Get(host);
        r.BackendPort = r.BackendIp is null ? null : port;
    }

    private static string? DecodeStatus(LogSegment segment, ReadOnlySpan<byte> v, bool none, out int? status)
    {
        status = null;
        if (none)
        {
            return null;
        }

        if (v.Length > 3 || !Utf8Number.TryParseInt(v, out var value))
        {
            return Bad(segment, v);
        }

        status = value;
        return null;
    }

    private static string? DecodeSize(LogSegment segment, ReadOnlySpan<byte> v, bool none, AccessRecord r)
    {
        if (none)
        {
            r.Size = 0;
            return null;
        }

        if (!Utf8Number.TryParseDigits(v, out var size))
        {
            return Bad(segment, v);
        }

        r.Size = (int)Math.Min(size, int.MaxValue);
        return null;
    }

    private static string? DecodeSeconds(LogSegment segment, ReadOnlySpan<byte> v, bool none, out double? seconds)
    {
        seconds = null;
        if (none)
        {
            return null;
        }

        if (!Utf8Number.TryParseSeconds(v, out var value))
        {
            return Bad(segment, v);
        }

        seconds = value;
        return null;
    }

    /// <summary><c>$host</c> never carries a port in nginx, but Apache's <c>%v:%p</c> does; the port is no part of the name.</summary>
    private static ReadOnlySpan<byte> WithoutPort(ReadOnlySpan<byte> v)
    {
        var colon = v.LastIndexOf((byte)':');
        if (colon <= 0 || colon == v.Length - 1 || !Utf8Number.TryParseDigits(v[(colon + 1)..], out _))
        {
            return v;
        }

        var bracketed = v[0] == '[' && v[colon - 1] == ']';
        return bracketed || v.IndexOf((byte)':') == colon ? v[..colon] : v;
    }

    private static string? SetDate(AccessRecord r, DateTime utc)
    {
        r.Date = utc;
        return null;
    }

    private static string? SetStatus(AccessRecord r, int? status)
    {
        r.Status = status;
        return null;
    }

    private static string? SetBackendStatus(AccessRecord r, int? status)
    {
        r.BackendStatus = status;
        return null;
    }

    private static string? SetClientTime(AccessRecord r, double? seconds)
    {
        r.ClientTime = seconds;
        return null;
    }

    public static string Bad(LogSegment segment, ReadOnlySpan<byte> v) => $"bad {segment.Name} '{Shown(v)}'";

    public static string Shown(ReadOnlySpan<byte> v) =>
        v.Length <= MaxShownValue ? StorableText.FromUtf8(v) : StorableText.FromUtf8(v[..MaxShownValue]) + "…";
}
