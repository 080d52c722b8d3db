namespace OpsPortal.Core.Metrics.Queries;

/// <summary>Where a series is read from: raw points (one per flush interval), minute or hour rollups.</summary>
internal enum MetricResolution
{
    Raw,
    Minute,
    Hour,
}

/// <summary>
/// The metric resolutions for <see cref="RollupResolution.Choose"/> (docs/metrics.md). Retention is
/// counted as the maintenance job drops: whole days (raw, minutes) and whole months (hours).
/// </summary>
internal static class MetricResolutions
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
        var (level, actual) = RollupResolution.Choose(from, step,
            [.. coarseFirst.Select(r => new RollupLevel(Granularity(r, o.FlushInterval), KeptSince(r, now, o)))]);
        return (coarseFirst[level], actual);
    }

    /// <summary>A step for about <paramref name="points"/> points over the range.</summary>
    public static TimeSpan AutoStep(TimeSpan range, TimeSpan flushInterval, int points = 300) =>
        RollupResolution.AutoStep(range, flushInterval, points);
}
