using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Web.Features.Metrics;

namespace OpsPortal.Tests.Metrics;

public sealed class MetricResolutionTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 12, 30, 0, DateTimeKind.Utc);
    private static readonly MetricsOptions Defaults = new();

    [Theory]
    // Recent range: the coarsest resolution that divides the step.
    [InlineData(1, 10, MetricResolution.Raw, 10)]
    [InlineData(1, 30, MetricResolution.Raw, 30)]
    [InlineData(1, 60, MetricResolution.Minute, 60)]
    [InlineData(1, 90, MetricResolution.Raw, 90)]
    [InlineData(1, 300, MetricResolution.Minute, 300)]
    [InlineData(1, 3600, MetricResolution.Hour, 3600)]
    [InlineData(1, 86400, MetricResolution.Hour, 86400)]
    // 10 days back: raw is gone (7 days), minutes remain.
    [InlineData(10, 10, MetricResolution.Minute, 60)]
    [InlineData(10, 120, MetricResolution.Minute, 120)]
    // 60 days back: only hours; a finer step is raised to an hour.
    [InlineData(60, 60, MetricResolution.Hour, 3600)]
    [InlineData(60, 5400, MetricResolution.Hour, 7200)]
    // Beyond every retention: hours (nothing there, but the answer's shape stays).
    [InlineData(500, 60, MetricResolution.Hour, 3600)]
    public void Choose_FinestThatExistsNotFinerThanTheStep(int daysBack, int stepSeconds, object resolutionExpected, int expectedStep) // object: the enum is internal
    {
        var expected = (MetricResolution)resolutionExpected;
        var (resolution, step) = MetricResolutions.Choose(Now.AddDays(-daysBack), TimeSpan.FromSeconds(stepSeconds), Now, Defaults);

        Assert.Equal(expected, resolution);
        Assert.Equal(TimeSpan.FromSeconds(expectedStep), step);
    }

    [Fact]
    public void KeptSince_CountsWholeDaysAndMonths_AsTheMaintenanceJobDrops()
    {
        Assert.Equal(new DateTime(2026, 11, 28), MetricResolutions.KeptSince(MetricResolution.Raw, Now, Defaults));
        Assert.Equal(new DateTime(2026, 11, 5), MetricResolutions.KeptSince(MetricResolution.Minute, Now, Defaults));
        Assert.Equal(new DateTime(2025, 11, 1), MetricResolutions.KeptSince(MetricResolution.Hour, Now, Defaults));
    }

    [Theory]
    [InlineData(3600, 30)]
    [InlineData(86400, 300)]
    [InlineData(400 * 86400, 86400 * 7)]
    public void AutoStep_AboutThreeHundredPoints(int rangeSeconds, int expectedStep)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedStep), MetricResolutions.AutoStep(TimeSpan.FromSeconds(rangeSeconds), TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("10s", 10)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    [InlineData("90", 90)]
    public void ParseStep_UnitsOrSeconds(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), MetricsEndpoints.ParseStep(text));
    }

    [Theory]
    [InlineData("1x")]
    [InlineData("-5m")]
    [InlineData("m")]
    [InlineData("0s")]
    public void ParseStep_Nonsense_Null(string text)
    {
        Assert.Null(MetricsEndpoints.ParseStep(text));
    }

    [Theory]
    [InlineData(MetricKind.Counter, null, "sum")]
    [InlineData(MetricKind.Timer, null, "avg")]
    [InlineData(MetricKind.Gauge, null, "last")]
    [InlineData(MetricKind.Timer, "P99.9", "p99.9")]
    [InlineData(MetricKind.Counter, "rate", "rate")]
    public void Function_DefaultsAndAllowed(MetricKind kind, string? text, string expected)
    {
        Assert.Equal(expected, MetricFunction.Parse(text, kind).Value.Name);
    }

    [Theory]
    [InlineData(MetricKind.Counter, "p95")]
    [InlineData(MetricKind.Gauge, "sum")]
    [InlineData(MetricKind.Gauge, "rate")]
    [InlineData(MetricKind.Timer, "p0")]
    [InlineData(MetricKind.Timer, "p101")]
    [InlineData(MetricKind.Timer, "median")]
    public void Function_NotForThisKind_Refused(MetricKind kind, string text)
    {
        var result = MetricFunction.Parse(text, kind);

        Assert.False(result.Succeeded);
        Assert.True(result.Refusal.Errors.ContainsKey("fn"));
    }

    [Theory]
    [InlineData("api.*.requests", "api.web1.requests", true)]
    [InlineData("api.*.requests", "api.web1.x.requests", false)]
    [InlineData("api.*", "api.web1", true)]
    [InlineData("a-b.*", "a-b.c", true)]
    [InlineData("a.b", "aXb", false)]
    public void PatternRegex_StarIsOneSegment(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, System.Text.RegularExpressions.Regex.IsMatch(name, MetricQueries.PatternRegex(pattern)));
    }
}
