namespace OpsPortal.Core.Logs.Parsing;

/// <summary>The three time variables, parsed from UTF-8 bytes to UTC without allocating.</summary>
internal static class LogTime
{
    public const int TimeLocalLength = 26;

    /// <summary><c>$time_local</c>: <c>17/May/2015:10:05:03 +0200</c>.</summary>
    public static bool TryParseLocal(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        if (s.Length != TimeLocalLength
            || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ')
        {
            return false;
        }

        var month = Month(s.Slice(3, 3));
        return month != 0
            && TwoDigits(s, 0, out var day)
            && FourDigits(s, 7, out var year)
            && TwoDigits(s, 12, out var hour)
            && TwoDigits(s, 15, out var minute)
            && TwoDigits(s, 18, out var second)
            && TryOffset(s[21..], out var offsetMinutes)
            && TryBuild(year, month, day, hour, minute, second, 0, offsetMinutes, out utc);
    }

    /// <summary><c>$time_iso8601</c>: <c>2015-05-17T10:05:03+02:00</c>; also accepts <c>Z</c> and a fraction.</summary>
    public static bool TryParseIso8601(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!(FourDigits(s, 0, out var year) && TwoDigits(s, 5, out var month) && TwoDigits(s, 8, out var day)
            && TwoDigits(s, 11, out var hour) && TwoDigits(s, 14, out var minute) && TwoDigits(s, 17, out var second)))
        {
            return false;
        }

        var rest = s[19..];
        long fractionTicks = 0;
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit((char)rest[digits]))
            {
                digits++;
            }

            if (!TryFractionTicks(rest[1..digits], out fractionTicks))
            {
                return false;
            }

            rest = rest[digits..];
        }

        var offsetMinutes = 0;
        var zone = (rest.Length == 1 && rest[0] == 'Z')
            || (rest.Length == 6 && rest[3] == ':' && TryOffset([rest[0], rest[1], rest[2], rest[4], rest[5]], out offsetMinutes))
            || TryOffset(rest, out offsetMinutes);
        return zone && TryBuild(year, month, day, hour, minute, second, fractionTicks, offsetMinutes, out utc);
    }

    /// <summary><c>$msec</c>: seconds since the epoch with a fraction, <c>1431857103.123</c>.</summary>
    public static bool TryParseMsec(ReadOnlySpan<byte> s, out DateTime utc)
    {
        utc = default;
        var dot = s.IndexOf((byte)'.');
        var whole = dot < 0 ? s : s[..dot];
        long fractionTicks = 0;
        if (!Utf8Number.TryParseDigits(whole, out var seconds)
            || (dot >= 0 && !TryFractionTicks(s[(dot + 1)..], out fractionTicks))
            || seconds > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond)
        {
            return false;
        }

        utc = new DateTime(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + fractionTicks, DateTimeKind.Utc);
        return true;
    }

    private static bool TryBuild(
        int year, int month, int day, int hour, int minute, int second, long fractionTicks, int offsetMinutes, out DateTime utc)
    {
        utc = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks;
        var ticks = local - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (ticks < 0 || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    /// <summary><c>+hhmm</c> / <c>-hhmm</c> as minutes east of UTC.</summary>
    private static bool TryOffset(ReadOnlySpan<byte> s, out int minutes)
    {
        minutes = 0;
        if (s.Length != 5 || (s[0] != '+' && s[0] != '-')
            || !TwoDigits(s, 1, out var hours) || !TwoDigits(s, 3, out var mins) || hours > 23 || mins > 59)
        {
            return false;
        }

        minutes = (s[0] == '-' ? -1 : 1) * ((hours * 60) + mins);
        return true;
    }

    private static bool TryFractionTicks(ReadOnlySpan<byte> digits, out long ticks)
    {
        ticks = 0;
        if (digits.IsEmpty || !Utf8Number.TryParseDigits(digits.Length > 7 ? digits[..7] : digits, out var value))
        {
            return false;
        }

        for (var i = digits.Length; i < 7; i++)
        {
            value *= 10;
        }

        ticks = value;
        return true;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        var d1 = (uint)(s[at] - '0');
        var d2 = (uint)(s[at + 1] - '0');
        value = (int)((d1 * 10) + d2);
        return d1 <= 9 && d2 <= 9;
    }

    private static bool FourDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (!TwoDigits(s, at, out var high) || !TwoDigits(s, at + 2, out var low))
        {
            return false;
        }

        value = (high * 100) + low;
        return true;
    }

    private static int Month(ReadOnlySpan<byte> s) => (s[0] | 0x20, s[1] | 0x20, s[2] | 0x20) switch
    {
        ('j', 'a', 'n') => 1,
        ('f', 'e', 'b') => 2,
        ('m', 'a', 'r') => 3,
        ('a', 'p', 'r') => 4,
        ('m', 'a', 'y') => 5,
        ('j', 'u', 'n') => 6,
        ('j', 'u', 'l') => 7,
        ('a', 'u', 'g') => 8,
        ('s', 'e', 'p') => 9,
        ('o', 'c', 't') => 10,
        ('n', 'o', 'v') => 11,
        ('d', 'e', 'c') => 12,
        _ => 0,
    };
}
