using System.ComponentModel;

namespace OpsPortal.Core.Dashboards;

/// <summary>One step's value; null is a gap (no data), never zero.</summary>
[ImmutableObject(true)]
public sealed record PanelPoint(DateTimeOffset T, double? V);

/// <param name="LastWeek">The compare-with-last-week overlay: the same measure a week earlier, moved onto this week's times.</param>
[ImmutableObject(true)]
public sealed record PanelLine(string Name, IReadOnlyList<PanelPoint> Points, bool LastWeek = false);

/// <summary>
/// What a panel shows for a range: its lines, the step actually read, and — instead of lines — an error a
/// user can act on (a bad query, a range older than the data). Immutable, so the cache hands out one
/// instance to every reader instead of copying it.
/// </summary>
[ImmutableObject(true)]
public sealed record PanelResult(DateTimeOffset From, DateTimeOffset To, int StepSeconds, IReadOnlyList<PanelLine> Lines, string? Error = null)
{
    /// <summary>The last non-null value of the first line: what a single-number panel shows.</summary>
    public double? Latest => Lines.FirstOrDefault(l => !l.LastWeek)?.Points.LastOrDefault(p => p.V is not null)?.V;
}

/// <summary>Time ranges of dashboards: a step that gives about <see cref="TargetPoints"/> points, and ranges aligned to it.</summary>
public static class PanelRange
{
    public const int TargetPoints = 240;

    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromDays(1),
    ];

    internal static TimeSpan StepFor(DateTimeOffset from, DateTimeOffset to) =>
        Steps.FirstOrDefault(s => (to - from) / s <= TargetPoints, Steps[^1]);

    /// <summary>
    /// The range widened to whole steps: <c>from</c> down, <c>to</c> up. "The last 6 hours" asked at 10:00:03
    /// and at 10:00:41 is then the same range, so both readers share one cache entry and one query.
    /// </summary>
    internal static (DateTimeOffset From, DateTimeOffset To, TimeSpan Step) Align(DateTimeOffset from, DateTimeOffset to)
    {
        var step = StepFor(from, to);
        var start = new DateTimeOffset(from.UtcTicks / step.Ticks * step.Ticks, TimeSpan.Zero);
        var end = new DateTimeOffset((to.UtcTicks + step.Ticks - 1) / step.Ticks * step.Ticks, TimeSpan.Zero);
        return (start, end, step);
    }

    /// <summary>Parses a range as the URL holds it: <c>15m</c>, <c>6h</c>, <c>7d</c> (ending now).</summary>
    public static TimeSpan? ParseRelative(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length < 2
            || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            || n <= 0 || n > 400)
        {
            return null;
        }
        return text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }
}
