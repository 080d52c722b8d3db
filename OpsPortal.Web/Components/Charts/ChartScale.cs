using System.Globalization;

namespace OpsPortal.Web.Components.Charts;

/// <summary>The arithmetic of chart axes: "nice" value ticks and calendar-aligned time ticks.</summary>
public static class ChartScale
{
    private static readonly TimeSpan[] TimeSteps =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
        TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(30), TimeSpan.FromDays(91),
    ];

    /// <summary>Ticks from 0 (or the minimum, when negative) to a round maximum at or above <paramref name="max"/>: 1, 2, 2.5 or 5 × 10ⁿ apart.</summary>
    public static IReadOnlyList<double> ValueTicks(double min, double max, int target = 4)
    {
        min = Math.Min(0, min);
        if (!double.IsFinite(max) || max <= min)
        {
            max = min + 1;
        }
        var raw = (max - min) / target;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Floor(min / step) * step;
        var ticks = new List<double>();
        for (var v = first; v < max + step * 0.999; v += step)
        {
            ticks.Add(Math.Round(v / step) * step);
        }
        return ticks;
    }

    /// <summary>Time ticks at round UTC moments (whole minutes, hours, days), about <paramref name="target"/> of them.</summary>
    public static IReadOnlyList<DateTimeOffset> TimeTicks(DateTimeOffset from, DateTimeOffset to, int target = 6)
    {
        var span = to - from;
        if (span <= TimeSpan.Zero)
        {
            return [from];
        }
        var step = TimeSteps.FirstOrDefault(s => span / s <= target, TimeSteps[^1]);
        var first = new DateTimeOffset(from.UtcTicks / step.Ticks * step.Ticks, TimeSpan.Zero);
        if (first < from)
        {
            first += step;
        }
        var ticks = new List<DateTimeOffset>();
        for (var t = first; t <= to; t += step)
        {
            ticks.Add(t);
        }
        return ticks;
    }

    /// <summary>A tick's label: seconds for spans up to three minutes (ticks under a minute apart), the time of day under two days (midnight as the date), the date beyond.</summary>
    public static string TimeLabel(DateTimeOffset t, TimeSpan span)
    {
        var format = span <= TimeSpan.FromMinutes(3) ? "HH:mm:ss"
            : span > TimeSpan.FromDays(2) || (t.UtcDateTime.TimeOfDay == TimeSpan.Zero && span > TimeSpan.FromHours(6)) ? "MM-dd"
            : "HH:mm";
        return t.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>A compact number: 1.2k, 3.4M, 0.05.</summary>
    public static string Compact(double v) => Math.Abs(v) switch
    {
        >= 1e9 => (v / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => v.ToString("0.##", CultureInfo.InvariantCulture),
        0 => "0",
        _ => v.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
