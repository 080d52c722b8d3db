namespace OpsPortal.Core.Logs.Parsing;

/// <summary>Splits <c>$request</c> into method, path and protocol when it has that shape.</summary>
internal static class RequestLine
{
    private const int MaxMethodLength = 24;

    /// <summary>
    /// True for <c>METHOD PATH HTTP/x</c>. The path is everything between the first and the last
    /// space, so a URI with a raw space in it still splits; anything else (TLS bytes, scanner
    /// junk, an empty request) is for the caller to keep raw.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> s, out Range method, out Range path, out Range protocol)
    {
        method = path = protocol = default;
        var first = s.IndexOf((byte)' ');
        var last = s.LastIndexOf((byte)' ');
        if (first <= 0 || first > MaxMethodLength || last <= first + 1 || !IsMethod(s[..first])
            || !s[(last + 1)..].StartsWith("HTTP/"u8))
        {
            return false;
        }

        method = ..first;
        path = (first + 1)..last;
        protocol = (last + 1)..;
        return true;
    }

    public static bool IsMethod(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!(b is >= (byte)'A' and <= (byte)'Z' || b == '-' || b == '_'))
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }

    /// <summary>The usual methods and protocols as shared strings, so most lines allocate none for them.</summary>
    public static string? KnownMethod(ReadOnlySpan<byte> s) => s.Length switch
    {
        3 when s.SequenceEqual("GET"u8) => "GET",
        3 when s.SequenceEqual("PUT"u8) => "PUT",
        4 when s.SequenceEqual("POST"u8) => "POST",
        4 when s.SequenceEqual("HEAD"u8) => "HEAD",
        5 when s.SequenceEqual("PATCH"u8) => "PATCH",
        5 when s.SequenceEqual("TRACE"u8) => "TRACE",
        6 when s.SequenceEqual("DELETE"u8) => "DELETE",
        7 when s.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        7 when s.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ => null,
    };

    public static string? KnownProtocol(ReadOnlySpan<byte> s) => s.Length switch
    {
        8 when s.SequenceEqual("HTTP/1.1"u8) => "HTTP/1.1",
        8 when s.SequenceEqual("HTTP/1.0"u8) => "HTTP/1.0",
        8 when s.SequenceEqual("HTTP/2.0"u8) => "HTTP/2.0",
        6 when s.SequenceEqual("HTTP/2"u8) => "HTTP/2",
        6 when s.SequenceEqual("HTTP/3"u8) => "HTTP/3",
        _ => null,
    };

    public static string? KnownScheme(ReadOnlySpan<byte> s) =>
        s.SequenceEqual("https"u8) ? "https" : s.SequenceEqual("http"u8) ? "http" : null;

    public static string? KnownTlsProtocol(ReadOnlySpan<byte> s) => s.Length switch
    {
        7 when s.SequenceEqual("TLSv1.3"u8) => "TLSv1.3",
        7 when s.SequenceEqual("TLSv1.2"u8) => "TLSv1.2",
        7 when s.SequenceEqual("TLSv1.1"u8) => "TLSv1.1",
        5 when s.SequenceEqual("TLSv1"u8) => "TLSv1",
        _ => null,
    };
}
