using System.Globalization;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>Why a line was not taken; the listener counts each reason and keeps the last few lines.</summary>
internal enum MetricLineError
{
    None,
    NoValue,
    EmptyName,
    NameTooLong,
    BadValue,
    BadType,
    BadSampleRate,
    BadSection,
    TooManyValues,
    BadTimestamp,
    TooOld,
    InFuture,
    TooManySeries,
    LineTooLong,
}

/// <summary>One value of a StatsD line. <see cref="MemberStart"/>/<see cref="MemberLength"/> locate a set's member in the line.</summary>
internal readonly record struct StatsdValue(MetricKind Kind, double Value, double SampleRate, bool IsDelta, int MemberStart, int MemberLength);

/// <summary>
/// Etsy's StatsD line protocol (docs/metrics.md): <c>name:value|type[|@rate]</c>, several
/// <c>:value|type</c> parts per name allowed (<c>a:1|c:2|c</c>), types <c>c</c>, <c>g</c> (a leading
/// <c>+</c>/<c>-</c> changes the gauge), <c>ms</c>, <c>h</c>, <c>d</c> and <c>s</c>. Names are sanitised as
/// Etsy's daemon does (whitespace runs → <c>_</c>, <c>/</c> → <c>-</c>, anything but letters, digits,
/// <c>_ - .</c> dropped), so a client's names come out the same as with Etsy's daemon. DogStatsD tag
/// sections (<c>|#…</c>) are accepted and ignored. A line is taken whole or not at all.
/// </summary>
internal static class StatsdParser
{
    public const int MaxNameLength = 250;
    public const int MaxValuesPerLine = 64;

    /// <summary>
    /// Parses one line (without its newline). Writes the sanitised name to <paramref name="name"/>
    /// (at least <see cref="MaxNameLength"/> long) and the values to <paramref name="values"/>.
    /// </summary>
    public static MetricLineError Parse(ReadOnlySpan<byte> line, Span<char> name, out int nameLength, Span<StatsdValue> values, out int valueCount)
    {
        nameLength = 0;
        valueCount = 0;
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return MetricLineError.NoValue;
        }
        var error = SanitizeName(line[..colon], name, out nameLength);
        if (error != MetricLineError.None)
        {
            return error;
        }
        var offset = colon + 1;
        var rest = line[offset..];
        while (true)
        {
            var next = rest.IndexOf((byte)':');
            // A DogStatsD tag section runs to the end of the line, colons and all (|#env:prod).
            var tags = rest.IndexOf("|#"u8);
            if (tags >= 0 && (next < 0 || tags < next))
            {
                next = -1;
            }
            var part = next < 0 ? rest : rest[..next];
            if (valueCount == values.Length)
            {
                return MetricLineError.TooManyValues;
            }
            error = ParseValue(part, offset, out values[valueCount]);
            if (error != MetricLineError.None)
            {
                valueCount = 0;
                return error;
            }
            valueCount++;
            if (next < 0)
            {
                return MetricLineError.None;
            }
            offset += next + 1;
            rest = rest[(next + 1)..];
        }
    }

    /// <summary>Etsy's key sanitising, byte by byte (anything outside ASCII is dropped, as the daemon drops it).</summary>
    public static MetricLineError SanitizeName(ReadOnlySpan<byte> raw, Span<char> name, out int length)
    {
        length = 0;
        var inSpace = false;
        foreach (var b in raw)
        {
            char c;
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0b or 0x0c)
            {
                if (inSpace)
                {
                    continue;
                }
                inSpace = true;
                c = '_';
            }
            else
            {
                inSpace = false;
                if (b == '/')
                {
                    c = '-';
                }
                else if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                         or (byte)'_' or (byte)'-' or (byte)'.')
                {
                    c = (char)b;
                }
                else
                {
                    continue;
                }
            }
            if (length == MaxNameLength)
            {
                return MetricLineError.NameTooLong;
            }
            name[length++] = c;
        }
        return length == 0 ? MetricLineError.EmptyName : MetricLineError.None;
    }

    private static MetricLineError ParseValue(ReadOnlySpan<byte> part, int offset, out StatsdValue value)
    {
        value = default;
        var bar = part.IndexOf((byte)'|');
        if (bar <= 0)
        {
            return bar == 0 ? MetricLineError.BadValue : MetricLineError.NoValue;
        }
        var text = part[..bar];
        var sections = part[(bar + 1)..];
        var typeEnd = sections.IndexOf((byte)'|');
        var type = typeEnd < 0 ? sections : sections[..typeEnd];
        MetricKind kind;
        if (type.SequenceEqual("c"u8))
        {
            kind = MetricKind.Counter;
        }
        else if (type.SequenceEqual("g"u8))
        {
            kind = MetricKind.Gauge;
        }
        else if (type.SequenceEqual("ms"u8) || type.SequenceEqual("h"u8) || type.SequenceEqual("d"u8))
        {
            kind = MetricKind.Timer;
        }
        else if (type.SequenceEqual("s"u8))
        {
            kind = MetricKind.Set;
        }
        else
        {
            return MetricLineError.BadType;
        }

        var rate = 1.0;
        var more = typeEnd < 0 ? [] : sections[(typeEnd + 1)..];
        while (!more.IsEmpty)
        {
            var end = more.IndexOf((byte)'|');
            var section = end < 0 ? more : more[..end];
            if (section.Length > 1 && section[0] == '@')
            {
                if (!TryNumber(section[1..], out rate) || rate <= 0 || rate > 1)
                {
                    return MetricLineError.BadSampleRate;
                }
            }
            else if (section.IsEmpty || section[0] != '#')
            {
                return MetricLineError.BadSection;
            }
            more = end < 0 ? [] : more[(end + 1)..];
        }

        if (kind == MetricKind.Set)
        {
            if (text.IsEmpty)
            {
                return MetricLineError.BadValue;
            }
            value = new StatsdValue(kind, 0, 1, false, offset, text.Length);
            return MetricLineError.None;
        }
        if (!TryNumber(text, out var number))
        {
            return MetricLineError.BadValue;
        }
        var isDelta = kind == MetricKind.Gauge && text[0] is (byte)'+' or (byte)'-';
        value = new StatsdValue(kind, number, rate, isDelta, 0, 0);
        return MetricLineError.None;
    }

    internal static bool TryNumber(ReadOnlySpan<byte> text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
