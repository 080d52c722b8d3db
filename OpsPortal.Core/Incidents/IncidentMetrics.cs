namespace OpsPortal.Core.Incidents;

/// <summary>The times the metrics need, for one incident.</summary>
public sealed record IncidentTimes(
    long Id,
    IncidentSeverity Severity,
    IReadOnlyList<string> Services,
    DateTimeOffset StartedAt,
    DateTimeOffset? DetectedAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ResolvedAt)
{
    internal static IncidentTimes From(Incident i) =>
        new(i.Id, i.Severity, i.Services, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.ResolvedAt);
}

/// <summary>
/// Mean, median and p90 of one metric in seconds (null when no incident had the times), how many
/// durations they summarise, and how many incidents (or, for MTBF, pairs) were left out for lacking a time.
/// </summary>
public sealed record MetricSummary(double? Mean, double? Median, double? P90, int Samples, int Excluded)
{
    internal static MetricSummary Of(IReadOnlyCollection<double> seconds, int excluded)
    {
        if (seconds.Count == 0)
        {
            return new MetricSummary(null, null, null, 0, excluded);
        }
        var sorted = seconds.Order().ToArray();
        return new MetricSummary(Ms(sorted.Average()), Ms(Percentile(sorted, 0.5)), Ms(Percentile(sorted, 0.9)), sorted.Length, excluded);
    }

    // Milliseconds are finer than any incident time is known; rounding hides floating-point noise.
    private static double Ms(double seconds) => Math.Round(seconds, 3);

    /// <summary>Linear interpolation between closest ranks: the same as PostgreSQL's <c>percentile_cont</c>.</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }
}

public sealed record IncidentMetricSet(
    int Count, MetricSummary Mttd, MetricSummary Mtta, MetricSummary Mttr, MetricSummary Mtbf, int MtbfOverlaps);

public sealed record MetricFilter(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Service = null, IncidentSeverity? Severity = null);

public enum MetricPeriod
{
    Week,
    Month,
}

public sealed record MetricBucket(DateTimeOffset Start, IncidentMetricSet Metrics);

/// <summary>
/// MTTD, MTTA, MTTR and MTBF exactly as docs/incidents.md defines them. Pure: the caller loads the incidents.
/// <list type="bullet">
/// <item>An incident belongs to a period by its <c>started_at</c>, to a service when the service is among
/// its affected services, to a severity by its severity.</item>
/// <item>MTTD = detected − started; MTTA = acknowledged − detected; MTTR = resolved − started. An incident
/// lacking either time is left out of that metric and counted in <see cref="MetricSummary.Excluded"/>.</item>
/// <item>MTBF: per service, incidents in order of start; each interval runs from the resolution of the
/// failure before to the next incident's start, and belongs to the period of that start. Overlapping
/// incidents are one failure (the interval starts at the latest resolution among them; an incident that
/// starts before that has no interval and is counted in <see cref="IncidentMetricSet.MtbfOverlaps"/>).
/// A pair whose earlier incident is unresolved is left out and counted as excluded. A service with one
/// incident has no interval: MTBF is undefined (null).</item>
/// </list>
/// </summary>
public static class IncidentMetricsCalculator
{
    public static IncidentMetricSet Compute(IEnumerable<IncidentTimes> incidents, MetricFilter filter)
    {
        var all = incidents.Where(i => filter.Severity is null || i.Severity == filter.Severity).ToList();
        var inScope = all.Where(i => InPeriod(i.StartedAt, filter) && HasService(i, filter.Service)).ToList();

        var mttd = Durations(inScope, i => i.StartedAt, i => i.DetectedAt);
        var mtta = Durations(inScope, i => i.DetectedAt, i => i.AcknowledgedAt);
        var mttr = Durations(inScope, i => i.StartedAt, i => i.ResolvedAt);
        var (between, excluded, overlaps) = Mtbf(all, filter);
        return new IncidentMetricSet(inScope.Count, mttd, mtta, mttr, MetricSummary.Of(between, excluded), overlaps);
    }

    /// <summary>One metric set per week (Monday 00:00 UTC) or calendar month (UTC) from <c>from</c> to <c>to</c>.</summary>
    public static IReadOnlyList<MetricBucket> ByPeriod(
        IReadOnlyCollection<IncidentTimes> incidents, MetricPeriod period, DateTimeOffset from, DateTimeOffset to,
        string? service = null, IncidentSeverity? severity = null)
    {
        var buckets = new List<MetricBucket>();
        for (var start = PeriodStart(from, period); start < to; start = Next(start, period))
        {
            var filter = new MetricFilter(start, Next(start, period), service, severity);
            buckets.Add(new MetricBucket(start, Compute(incidents, filter)));
        }
        return buckets;
    }

    public static DateTimeOffset PeriodStart(DateTimeOffset t, MetricPeriod period)
    {
        var day = new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero);
        return period == MetricPeriod.Month
            ? new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero)
            : day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    private static DateTimeOffset Next(DateTimeOffset start, MetricPeriod period) =>
        period == MetricPeriod.Month ? start.AddMonths(1) : start.AddDays(7);

    private static bool InPeriod(DateTimeOffset t, MetricFilter f) => (f.From is null || t >= f.From) && (f.To is null || t < f.To);

    private static bool HasService(IncidentTimes i, string? service) => service is null || i.Services.Contains(service);

    private static MetricSummary Durations(
        List<IncidentTimes> incidents, Func<IncidentTimes, DateTimeOffset?> from, Func<IncidentTimes, DateTimeOffset?> to)
    {
        var seconds = new List<double>();
        var excluded = 0;
        foreach (var i in incidents)
        {
            if (from(i) is { } a && to(i) is { } b)
            {
                seconds.Add((b - a).TotalSeconds);
            }
            else
            {
                excluded++;
            }
        }
        return MetricSummary.Of(seconds, excluded);
    }

    private static (List<double> Seconds, int Excluded, int Overlaps) Mtbf(List<IncidentTimes> incidents, MetricFilter filter)
    {
        var services = filter.Service is { } one ? [one] : incidents.SelectMany(i => i.Services).Distinct(StringComparer.Ordinal);
        var seconds = new List<double>();
        int excluded = 0, overlaps = 0;
        foreach (var service in services)
        {
            var chain = incidents.Where(i => i.Services.Contains(service)).OrderBy(i => i.StartedAt).ThenBy(i => i.Id).ToList();
            // The end of the failure so far: the latest resolution among the incidents before.
            DateTimeOffset? failureEnd = null;
            for (var k = 0; k < chain.Count; k++)
            {
                var next = chain[k];
                if (k > 0 && InPeriod(next.StartedAt, filter))
                {
                    if (chain[k - 1].ResolvedAt is null || failureEnd is null)
                    {
                        excluded++;
                    }
                    else if (next.StartedAt > failureEnd)
                    {
                        seconds.Add((next.StartedAt - failureEnd.Value).TotalSeconds);
                    }
                    else
                    {
                        overlaps++;
                    }
                }
                if (next.ResolvedAt is { } resolved && (failureEnd is null || resolved > failureEnd))
                {
                    failureEnd = resolved;
                }
            }
        }
        return (seconds, excluded, overlaps);
    }
}
