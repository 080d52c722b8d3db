using System.Net;

namespace OpsPortal.Core.Logs.Parsing;

internal static class IpText
{
    /// <summary>
    /// Strict dotted quad only. <see cref="IPAddress.TryParse(string, out IPAddress)"/> also takes
    /// forms like <c>1</c> or <c>10.1</c>, which in a log are far more likely to be names.
    /// </summary>
    /// <param name="address">In the byte order <see cref="IPAddress(long)"/> expects.</param>
    public static bool TryParseV4(ReadOnlySpan<byte> s, out uint address)
    {
        address = 0;
        if (s.Length is < 7 or > 15)
        {
            return false;
        }

        var shift = 0;
        uint part = 0;
        var digits = 0;
        foreach (var b in s)
        {
            if (b == '.')
            {
                if (digits == 0 || shift == 24)
                {
                    return false;
                }

                address |= part << shift;
                shift += 8;
                part = 0;
                digits = 0;
                continue;
            }

            var digit = (uint)(b - '0');
            if (digit > 9 || ++digits > 3 || (part = (part * 10) + digit) > 255)
            {
                return false;
            }
        }

        if (digits == 0 || shift != 24)
        {
            return false;
        }

        address |= part << 24;
        return true;
    }

    /// <summary>IPv6 (with an optional zone); anything without a colon is not tried.</summary>
    public static IPAddress? TryParseV6(ReadOnlySpan<byte> s)
    {
        if (s.Length is < 2 or > 64 || s.IndexOf((byte)':') < 0)
        {
            return null;
        }

        Span<char> chars = stackalloc char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            chars[i] = (char)s[i];
        }

        return IPAddress.TryParse(chars, out var address) ? address : null;
    }
}
