using OpsPortal.Core.Alerts;

namespace OpsPortal.Tests.Alerts;

public sealed class AlertMathsTests
{
    [Theory]
    [InlineData(5.0, AlertState.Ok)]
    [InlineData(10.5, AlertState.Warning)]
    [InlineData(20.5, AlertState.Critical)]
    public void StateOf_Above_GradesByThresholds(double value, AlertState expected) =>
        Assert.Equal(expected, AlertMaths.StateOf(value, 10, 20, below: false));

    [Fact]
    public void StateOf_BelowAndMissing()
    {
        Assert.Equal(AlertState.Critical, AlertMaths.StateOf(3, 10, 5, below: true));
        Assert.Equal(AlertState.Warning, AlertMaths.StateOf(7, 10, 5, below: true));
        Assert.Equal(AlertState.Ok, AlertMaths.StateOf(null, 10, 20, below: false));
    }

    [Fact]
    public void BaselineOf_HandMadeSeries_MedianAndScaledMad()
    {
        // Median 100; deviations 0, 1, 2, 2, 50 → MAD 2; one bad week (150) does not move the band.
        var b = AlertMaths.BaselineOf([100, 98, 102, 99, 150])!;
        Assert.Equal(100, b.Median);
        Assert.Equal(2 * 1.4826, b.Spread, 6);
        Assert.Equal(5, b.Samples);
        Assert.Equal(100 + 3 * 2 * 1.4826, b.High(3, 0), 6);
        Assert.Equal(100 - 20, b.Low(3, 20), 6);
    }

    [Fact]
    public void BaselineOf_TooFewWeeks_IsNull() => Assert.Null(AlertMaths.BaselineOf([42]));

    [Fact]
    public void AnomalyState_KSpreadsAndMinimumChange()
    {
        var b = new Baseline(100, 2, 4);
        Assert.Equal(AlertState.Critical, AlertMaths.AnomalyState(107, b, spreads: 3, minChange: 0));
        Assert.Equal(AlertState.Warning, AlertMaths.AnomalyState(105, b, 3, 0));
        Assert.Equal(AlertState.Ok, AlertMaths.AnomalyState(103, b, 3, 0));
        Assert.Equal(AlertState.Critical, AlertMaths.AnomalyState(93, b, 3, 0));
        // Far in spreads, but below the minimum absolute change: a flat history must not fire on noise.
        Assert.Equal(AlertState.Ok, AlertMaths.AnomalyState(107, b, 3, minChange: 10));
        Assert.Equal(AlertState.Ok, AlertMaths.AnomalyState(100.5, new Baseline(100, 0, 4), 3, 1));
        Assert.Equal(AlertState.Critical, AlertMaths.AnomalyState(101, new Baseline(100, 0, 4), 3, 1));
    }

    [Fact]
    public void Median_EvenAndOdd()
    {
        Assert.Equal(2, AlertMaths.Median([3, 1, 2]));
        Assert.Equal(2.5, AlertMaths.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void Percentile_FromHistogramBuckets_WithinFivePercent()
    {
        var values = Enumerable.Range(1, 1000).Select(i => i / 1000.0).ToList(); // 1 ms … 1 s
        var buckets = values.Select(v => ((int)Math.Ceiling(Math.Log(v * 1000) / Math.Log(1.05)), 1L));
        var p95 = AlertIncidents.Percentile(buckets, 95)!.Value;
        Assert.InRange(p95, 0.95, 0.95 * 1.05);
    }
}
