using System.Globalization;
using System.Text;

namespace OpsPortal.Core.Logs.LiveTail;

/// <summary>An inclusive range of <c>access.id</c> values.</summary>
internal readonly record struct IdRange(long First, long Last);

/// <summary>
/// What one committed batch tells the tail readers on the <see cref="Channel"/>: exactly which ids it
/// wrote and the span of their dates (the table is partitioned and indexed by date, so the reader
/// needs the dates to find the rows cheaply). See ADR-008.
/// </summary>
internal sealed record AccessTailNotice(DateTime From, DateTime To, IReadOnlyList<IdRange> Ranges)
{
    public const string Channel = "ops_access";

    // NOTIFY payloads must stay under 8000 bytes; a batch whose ids are too fragmented to fit
    // goes out as several notices.
    internal const int MaxPayload = 7_800;

    /// <summary>Collapses ids (ascending, distinct) into the fewest ranges.</summary>
    public static List<IdRange> ToRanges(IReadOnlyList<long> sortedIds)
    {
        var ranges = new List<IdRange>();
        for (var i = 0; i < sortedIds.Count; i++)
        {
            if (ranges.Count > 0 && ranges[^1].Last + 1 == sortedIds[i])
            {
                ranges[^1] = ranges[^1] with { Last = sortedIds[i] };
            }
            else
            {
                ranges.Add(new IdRange(sortedIds[i], sortedIds[i]));
            }
        }
        return ranges;
    }

    /// <summary>Payloads for <c>pg_notify</c>: <c>fromTicks;toTicks;first-last,first-last…</c>, each under the limit.</summary>
    public static List<string> Format(DateTime from, DateTime to, IReadOnlyList<IdRange> ranges)
    {
        var payloads = new List<string>();
        var head = string.Create(CultureInfo.InvariantCulture, $"{from.Ticks};{to.Ticks};");
        var sb = new StringBuilder(head);
        foreach (var r in ranges)
        {
            var item = string.Create(CultureInfo.InvariantCulture, $"{r.First}-{r.Last}");
            if (sb.Length > head.Length && sb.Length + item.Length + 1 > MaxPayload)
            {
                payloads.Add(sb.ToString());
                sb.Clear().Append(head);
            }
            if (sb.Length > head.Length)
            {
                sb.Append(',');
            }
            sb.Append(item);
        }
        if (sb.Length > head.Length)
        {
            payloads.Add(sb.ToString());
        }
        return payloads;
    }

    public static AccessTailNotice? Parse(string payload)
    {
        var parts = payload.Split(';');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to))
        {
            return null;
        }
        var ranges = new List<IdRange>();
        foreach (var item in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0
                || !long.TryParse(item.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !long.TryParse(item.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return null;
            }
            ranges.Add(new IdRange(first, last));
        }
        return ranges.Count == 0 ? null : new AccessTailNotice(new DateTime(from, DateTimeKind.Utc), new DateTime(to, DateTimeKind.Utc), ranges);
    }
}
