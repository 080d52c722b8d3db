using OpsPortal.Core.Incidents;

namespace OpsPortal.Tests.Incidents;

/// <summary>
/// Hand-computed fixtures. Times are minutes after T0 (a Monday, 00:00 UTC); every expected number below
/// was worked out on paper from the definitions in docs/incidents.md, not by running the calculator.
/// </summary>
public sealed class IncidentMetricsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private const int Day = 24 * 60;

    private static DateTimeOffset M(int minutes) => T0.AddMinutes(minutes);

    private static IncidentTimes I(long id, IncidentSeverity sev, string[] services, int started, int? detected, int? acked, int? resolved) =>
        new(id, sev, services, M(started), detected is { } d ? M(d) : null, acked is { } a ? M(a) : null, resolved is { } r ? M(r) : null);

    // web: A, B, C resolved one day apart, D still open; C was never acknowledged.
    private static readonly IncidentTimes A = I(1, IncidentSeverity.Sev2, ["web"], 0, 10, 15, 70);
    private static readonly IncidentTimes B = I(2, IncidentSeverity.Sev1, ["web"], Day, Day + 5, Day + 25, Day + 120);
    private static readonly IncidentTimes C = I(3, IncidentSeverity.Sev3, ["web"], 2 * Day, 2 * Day + 30, null, 2 * Day + 60);
    private static readonly IncidentTimes D = I(4, IncidentSeverity.Sev2, ["web"], 3 * Day, 3 * Day + 2, 3 * Day + 4, null);
    private static readonly IncidentTimes[] Web = [A, B, C, D];

    [Fact]
    public void Compute_AllTime_MeanMedianP90OfEachMetric()
    {
        var m = IncidentMetricsCalculator.Compute(Web, new MetricFilter());

        Assert.Equal(4, m.Count);
        // MTTD: 600, 300, 1800, 120 s.
        Assert.Equal(new MetricSummary(705, 450, 1440, 4, 0), m.Mttd);
        // MTTA: 300, 1200, 120 s; C has no acknowledgement.
        Assert.Equal(new MetricSummary(540, 300, 1020, 3, 1), m.Mtta);
        // MTTR: 4200, 7200, 3600 s; D is open.
        Assert.Equal(new MetricSummary(5000, 4200, 6600, 3, 1), m.Mttr);
        // MTBF: A→B 86400−4200, B→C 172800−93600, C→D 259200−176400.
        Assert.Equal(new MetricSummary(81400, 82200, 82680, 3, 0), m.Mtbf);
        Assert.Equal(0, m.MtbfOverlaps);
    }

    [Fact]
    public void Compute_Period_CountsIncidentsByStart_AndMtbfReachesBackBeforeThePeriod()
    {
        var m = IncidentMetricsCalculator.Compute(Web, new MetricFilter(M(Day), M(3 * Day)));

        Assert.Equal(2, m.Count);
        Assert.Equal(new MetricSummary(5400, 5400, 6840, 2, 0), m.Mttr);
        // A→B (A started before the period; B's start is in it) and B→C.
        Assert.Equal(new MetricSummary(80700, 80700, 81900, 2, 0), m.Mtbf);
    }

    [Fact]
    public void Compute_Severity_ChainsOnlyThatSeverity()
    {
        var m = IncidentMetricsCalculator.Compute(Web, new MetricFilter(Severity: IncidentSeverity.Sev2));

        Assert.Equal(2, m.Count);
        Assert.Equal(255000, m.Mtbf.Mean);
        Assert.Equal(new MetricSummary(4200, 4200, 4200, 1, 1), m.Mttr);
    }

    [Fact]
    public void Compute_SingleIncident_MtbfUndefined_OtherMetricsAreItsOwnDurations()
    {
        var m = IncidentMetricsCalculator.Compute([A], new MetricFilter());

        Assert.Equal(new MetricSummary(null, null, null, 0, 0), m.Mtbf);
        Assert.Equal(new MetricSummary(4200, 4200, 4200, 1, 0), m.Mttr);
    }

    [Fact]
    public void Compute_NoIncidents_EverythingNull()
    {
        var m = IncidentMetricsCalculator.Compute([], new MetricFilter());

        Assert.Equal(0, m.Count);
        Assert.All(new[] { m.Mttd, m.Mtta, m.Mttr, m.Mtbf }, s => Assert.Equal(new MetricSummary(null, null, null, 0, 0), s));
    }

    [Fact]
    public void Compute_OverlappingIncidents_AreOneFailure_TheIntervalStartsAtTheLatestResolution()
    {
        IncidentTimes[] api =
        [
            I(10, IncidentSeverity.Sev2, ["api"], 0, 0, 0, 120),
            I(11, IncidentSeverity.Sev2, ["api"], 60, 60, 60, 180),  // starts while 10 is open
            I(12, IncidentSeverity.Sev2, ["api"], 300, 300, 300, 310),
        ];

        var m = IncidentMetricsCalculator.Compute(api, new MetricFilter());

        Assert.Equal(new MetricSummary(7200, 7200, 7200, 1, 0), m.Mtbf);
        Assert.Equal(1, m.MtbfOverlaps);
        // MTTR still counts each incident: 7200, 7200, 600 s.
        Assert.Equal(5000, m.Mttr.Mean);
    }

    [Fact]
    public void Compute_AnOverlapInsideALongerIncident_DoesNotShortenTheFailure()
    {
        IncidentTimes[] api =
        [
            I(10, IncidentSeverity.Sev2, ["api"], 0, 0, 0, 600),
            I(11, IncidentSeverity.Sev3, ["api"], 60, 60, 60, 90),   // inside 10
            I(12, IncidentSeverity.Sev2, ["api"], 700, 700, 700, 710),
        ];

        var m = IncidentMetricsCalculator.Compute(api, new MetricFilter());

        // From 10's resolution (600), not 11's (90), to 12's start (700).
        Assert.Equal(6000, m.Mtbf.Mean);
        Assert.Equal(1, m.MtbfOverlaps);
    }

    [Fact]
    public void Compute_UnresolvedIncidentBeforeAnother_PairExcludedAndCounted()
    {
        IncidentTimes[] db =
        [
            I(20, IncidentSeverity.Sev3, ["db"], 0, 5, null, null),
            I(21, IncidentSeverity.Sev3, ["db"], 60, 60, 61, 120),
            I(22, IncidentSeverity.Sev3, ["db"], 240, 240, 241, 250),
        ];

        var m = IncidentMetricsCalculator.Compute(db, new MetricFilter());

        Assert.Equal(new MetricSummary(7200, 7200, 7200, 1, 1), m.Mtbf);
        Assert.Equal(0, m.MtbfOverlaps);
        Assert.Equal(1, m.Mtta.Excluded);
        Assert.Equal(1, m.Mttr.Excluded);
    }

    [Fact]
    public void Compute_MissingDetection_ExcludedFromMttdAndMtta()
    {
        var m = IncidentMetricsCalculator.Compute([I(30, IncidentSeverity.Sev4, ["x"], 0, null, 10, 20)], new MetricFilter());

        Assert.Equal(new MetricSummary(null, null, null, 0, 1), m.Mttd);
        Assert.Equal(new MetricSummary(null, null, null, 0, 1), m.Mtta);
        Assert.Equal(1200, m.Mttr.Mean);
    }

    [Fact]
    public void Compute_IncidentOnTwoServices_CountedOnceForMttr_InBothChainsForMtbf()
    {
        IncidentTimes[] both =
        [
            I(40, IncidentSeverity.Sev2, ["web", "api"], 0, 0, 0, 10),
            I(41, IncidentSeverity.Sev2, ["web"], 70, 70, 70, 80),
            I(42, IncidentSeverity.Sev2, ["api"], 130, 130, 130, 140),
        ];

        var all = IncidentMetricsCalculator.Compute(both, new MetricFilter());
        var api = IncidentMetricsCalculator.Compute(both, new MetricFilter(Service: "api"));

        Assert.Equal(3, all.Count);
        Assert.Equal(3, all.Mttr.Samples);
        // web: 10→70 = 3600 s; api: 10→130 = 7200 s.
        Assert.Equal(new MetricSummary(5400, 5400, 6840, 2, 0), all.Mtbf);
        Assert.Equal(2, api.Count);
        Assert.Equal(new MetricSummary(7200, 7200, 7200, 1, 0), api.Mtbf);
    }

    [Fact]
    public void ByPeriod_Weeks_StartOnMonday_EmptyWeeksHaveNulls()
    {
        var buckets = IncidentMetricsCalculator.ByPeriod(Web, MetricPeriod.Week, M(3 * Day), M(14 * Day));

        Assert.Equal([T0, T0.AddDays(7)], buckets.Select(b => b.Start));
        Assert.Equal(4, buckets[0].Metrics.Count);
        Assert.Equal(0, buckets[1].Metrics.Count);
        Assert.Null(buckets[1].Metrics.Mttr.Mean);
    }

    [Fact]
    public void ByPeriod_Months_UseCalendarMonths()
    {
        var buckets = IncidentMetricsCalculator.ByPeriod(Web, MetricPeriod.Month, T0.AddMonths(-1), T0.AddDays(1));

        Assert.Equal([new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)],
            buckets.Select(b => b.Start));
        Assert.Equal(4, buckets[1].Metrics.Count);
    }

    [Theory]
    [InlineData(new double[] { 5 }, 0.9, 5)]
    [InlineData(new double[] { 1, 2 }, 0.5, 1.5)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.9, 9.1)]
    public void Percentile_InterpolatesLikePercentileCont(double[] sorted, double p, double expected) =>
        Assert.Equal(expected, MetricSummary.Percentile(sorted, p), 9);
}
