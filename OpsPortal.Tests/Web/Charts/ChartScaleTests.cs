using OpsPortal.Web.Components.Charts;

namespace OpsPortal.Tests.Web.Charts;

public class ChartScaleTests
{
    [Theory]
    [InlineData(0, 87, new[] { 0.0, 25, 50, 75, 100 })]
    [InlineData(0, 4, new[] { 0.0, 1, 2, 3, 4 })]
    [InlineData(0, 0.034, new[] { 0.0, 0.01, 0.02, 0.03, 0.04 })]
    [InlineData(-3, 7, new[] { -5.0, -2.5, 0, 2.5, 5, 7.5 })]
    [InlineData(0, 0, new[] { 0.0, 0.25, 0.5, 0.75, 1 })]
    public void ValueTicks_RoundStepsFromZeroToAtLeastTheMax(double min, double max, double[] expected)
    {
        Assert.Equal(expected, ChartScale.ValueTicks(min, max));
    }

    [Fact]
    public void TimeTicks_OneHour_AreWholeTenMinutes()
    {
        var from = new DateTimeOffset(2026, 12, 4, 9, 3, 20, TimeSpan.Zero);

        var ticks = ChartScale.TimeTicks(from, from.AddHours(1));

        Assert.Equal(6, ticks.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 9, 10, 0, TimeSpan.Zero), ticks[0]);
        Assert.All(ticks, t => Assert.Equal(0, t.Minute % 10));
    }

    [Fact]
    public void TimeTicks_ThirteenMonths_AreAFewDatesApart_AndLabelledAsDates()
    {
        var from = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMonths(13);

        var ticks = ChartScale.TimeTicks(from, to);

        Assert.InRange(ticks.Count, 2, 8);
        Assert.Matches(@"^\d\d-\d\d$", ChartScale.TimeLabel(ticks[0], to - from));
    }

    [Theory]
    [InlineData(1234567, "1.2M")]
    [InlineData(45678, "45.7k")]
    [InlineData(512, "512")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.0123, "0.012")]
    public void Compact_ReadableNumbers(double value, string expected) => Assert.Equal(expected, ChartScale.Compact(value));
}
