namespace OpsPortal.Core.Metrics.Queries;

/// <summary>Where a series is read from: raw points (one per flush interval), minute or hour rollups.</summary>
public enum MetricResolution
{
    Raw,
    Minute,
    Hour,
}

/// <summary>
/// Picks the resolution a query reads (docs/metrics.md): of the resolutions whose retention reaches back
/// to <c>from</c>, the coarsest one that divides the step (fewest rows, same answer); when none divides
/// it — a fine step over a range older than the fine data — the finest one that still reaches back, with
/// the step raised to a multiple of it. Retention is counted as the maintenance job drops: whole days
/// (raw, minutes) and whole months (hours).
/// </summary>
public static class MetricResolutions
{
    public static TimeSpan Granularity(MetricResolution resolution, TimeSpan flushInterval) => resolution switch
    {
        MetricResolution.Raw => flushInterval,
        MetricResolution.Minute => TimeSpan.FromMinutes(1),
        _ => TimeSpan.FromHours(1),
    };

    /// <summary>The oldest instant a resolution still has data for, at <paramref name="now"/>.</summary>
    public static DateTime KeptSince(MetricResolution resolution, DateTime now, MetricsOptions o)
    {
        var today = now.Date;
        return resolution switch
        {
            MetricResolution.Raw => today.AddDays(1 - o.RawRetentionDays),
            MetricResolution.Minute => today.AddDays(1 - o.MinuteRetentionDays),
            _ => new DateTime(today.Year, today.Month, 1, 0, 0, 0, today.Kind).AddMonths(-o.HourRetentionMonths),
        };
    }

    public static (MetricResolution Resolution, TimeSpan Step) Choose(DateTime from, TimeSpan step, DateTime now, MetricsOptions o)
    {
        MetricResolution[] coarseFirst = [MetricResolution.Hour, MetricResolution.Minute, MetricResolution.Raw];
        foreach (var r in coarseFirst)
        {
            var g = Granularity(r, o.FlushInterval);
            if (step >= g && step.Ticks % g.Ticks == 0 && from >= KeptSince(r, now, o))
            {
                return (r, step);
            }
        }
        foreach (var r in coarseFirst.Reverse())
        {
            if (from >= KeptSince(r, now, o) || r == MetricResolution.Hour)
            {
                var g = Granularity(r, o.FlushInterval);
                return (r, TimeSpan.FromTicks((step.Ticks + g.Ticks - 1) / g.Ticks * g.Ticks));
            }
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A step for about <paramref name="points"/> points over the range, from a list a person reads easily.</summary>
    public static TimeSpan AutoStep(TimeSpan range, TimeSpan flushInterval, int points = 300)
    {
        TimeSpan[] steps =
        [
            flushInterval, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
            TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
            TimeSpan.FromDays(1), TimeSpan.FromDays(7),
        ];
        return steps.Where(s => s >= flushInterval && s.Ticks % flushInterval.Ticks == 0).FirstOrDefault(s => range / s <= points, steps[^1]);
    }
}
