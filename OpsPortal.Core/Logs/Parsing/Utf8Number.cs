using System.Buffers.Text;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>Number parsing straight from UTF-8 log bytes, without allocating.</summary>
internal static class Utf8Number
{
    private static readonly double[] PowersOf10 =
        [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Plain unsigned decimal digits, at most 18 of them so the value cannot overflow.</summary>
    public static bool TryParseDigits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18)
        {
            return false;
        }

        foreach (var b in s)
        {
            var digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    public static bool TryParseInt(ReadOnlySpan<byte> s, out int value)
    {
        if (TryParseDigits(s, out var wide) && wide <= int.MaxValue)
        {
            value = (int)wide;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Seconds as nginx writes them (<c>0.123</c>). Short decimals take an exact fast path: an
    /// integer mantissa divided by a power of ten is correctly rounded, like a full parser's result.
    /// </summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> s, out double value)
    {
        var dot = s.IndexOf((byte)'.');
        if (s.Length <= 16 && dot != 0 && dot != s.Length - 1)
        {
            var whole = dot < 0 ? s : s[..dot];
            var fraction = dot < 0 ? [] : s[(dot + 1)..];
            if (TryParseDigits(whole, out var w)
                && (fraction.IsEmpty || TryParseDigits(fraction, out _)))
            {
                long mantissa = w;
                foreach (var b in fraction)
                {
                    mantissa = (mantissa * 10) + (b - '0');
                }

                if (mantissa < (1L << 53))
                {
                    value = mantissa / PowersOf10[fraction.Length];
                    return true;
                }
            }
        }

        return Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length
            && double.IsFinite(value) && value >= 0;
    }
}
