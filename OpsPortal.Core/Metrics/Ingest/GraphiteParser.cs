namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// Graphite's plaintext protocol: <c>path value timestamp</c> (Unix seconds; <c>-1</c> means now), fields
/// separated by spaces or tabs. The path is sanitised like a StatsD name; every point is a gauge at its
/// own time.
/// </summary>
internal static class GraphiteParser
{
    public static MetricLineError Parse(ReadOnlySpan<byte> line, Span<char> name, out int nameLength, out double value, out double? unixSeconds)
    {
        nameLength = 0;
        value = 0;
        unixSeconds = null;
        Span<Range> fields = stackalloc Range[4];
        var count = Split(line, fields);
        if (count < 2)
        {
            return MetricLineError.NoValue;
        }
        if (count != 3)
        {
            return MetricLineError.BadSection;
        }
        var error = StatsdParser.SanitizeName(line[fields[0]], name, out nameLength);
        if (error != MetricLineError.None)
        {
            return error;
        }
        if (!StatsdParser.TryNumber(line[fields[1]], out value))
        {
            return MetricLineError.BadValue;
        }
        if (!StatsdParser.TryNumber(line[fields[2]], out var seconds))
        {
            return MetricLineError.BadTimestamp;
        }
        unixSeconds = seconds == -1 ? null : seconds;
        return seconds < 0 && seconds != -1 ? MetricLineError.BadTimestamp : MetricLineError.None;
    }

    private static int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        var count = 0;
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }
            if (i == line.Length)
            {
                break;
            }
            var start = i;
            while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t'))
            {
                i++;
            }
            if (count == fields.Length)
            {
                return count + 1;
            }
            fields[count++] = start..i;
        }
        return count;
    }
}
