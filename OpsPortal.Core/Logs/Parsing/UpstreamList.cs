namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// The <c>$upstream_*</c> variables list one value per upstream tried, separated by <c>", "</c>
/// (next server) or <c>" : "</c> (internal redirect to another group). Values never contain spaces.
/// </summary>
internal static class UpstreamList
{
    /// <summary>The last value: the upstream that produced the response.</summary>
    public static ReadOnlySpan<byte> Last(ReadOnlySpan<byte> s) => s[(s.LastIndexOf((byte)' ') + 1)..];

    /// <summary>Total time over every upstream tried; null when none reported one (all <c>-</c>).</summary>
    public static bool TrySumSeconds(ReadOnlySpan<byte> s, out double? total)
    {
        total = null;
        while (!s.IsEmpty)
        {
            var space = s.IndexOf((byte)' ');
            var token = space < 0 ? s : s[..space];
            s = space < 0 ? [] : s[(space + 1)..];
            if (token.Length > 0 && token[^1] == ',')
            {
                token = token[..^1];
            }

            if (token.IsEmpty || token.SequenceEqual(":"u8) || token.SequenceEqual("-"u8))
            {
                continue;
            }

            if (!Utf8Number.TryParseSeconds(token, out var seconds))
            {
                return false;
            }

            total = (total ?? 0) + seconds;
        }

        return true;
    }

    /// <summary>
    /// How many bytes to step over when a space found inside an unquoted upstream list is a
    /// separator rather than the end of the value (after a comma, or in <c>" : "</c>); 0 when it ends the value.
    /// </summary>
    public static int SeparatorAt(ReadOnlySpan<byte> line, int start, int space)
    {
        if (space > start && line[space - 1] == ',')
        {
            return 1;
        }

        return line[space..].StartsWith(" : "u8) ? 3 : 0;
    }

    /// <summary>Splits <c>10.0.0.1:80</c> / <c>[2001:db8::1]:80</c> into host and port; unix sockets and names give no port.</summary>
    public static bool TrySplitHostPort(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> host, out int? port)
    {
        host = s;
        port = null;
        if (s.StartsWith("unix:"u8))
        {
            return false;
        }

        var colon = s.LastIndexOf((byte)':');
        if (s.Length > 0 && s[0] == '[')
        {
            var close = s.IndexOf((byte)']');
            if (close < 0)
            {
                return false;
            }

            host = s[1..close];
            colon = close + 1 < s.Length && s[close + 1] == ':' ? close + 1 : -1;
        }
        else if (colon >= 0 && s.IndexOf((byte)':') != colon)
        {
            // A bare IPv6 address: its colons are not a port separator.
            colon = -1;
        }
        else if (colon >= 0)
        {
            host = s[..colon];
        }

        if (colon >= 0 && Utf8Number.TryParseInt(s[(colon + 1)..], out var p) && p <= 65535)
        {
            port = p;
        }

        return true;
    }
}
