using Bunit;
using OpsPortal.Core.Incidents;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Incidents;

namespace OpsPortal.Tests.Web;

/// <summary>Issue 21.10: a metric with one period draws a dot, and MTBF without two incidents says so.</summary>
public sealed class IncidentMetricCardTests : MudComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly MetricSummary None = new(null, null, null, 0, 0);

    [Fact]
    public void TrendChart_OnePeriodWithAValue_DrawsAVisibleDot()
    {
        var cut = Ctx.Render<TrendChart>(p => p.Add(c => c.Points, [(T0, new MetricSummary(600, 600, 600, 1, 0))]));

        var dots = cut.FindAll("[data-testid=trend-dot]");
        Assert.Equal(2, dots.Count);
        Assert.All(dots, d => Assert.Equal("non-scaling-stroke", d.GetAttribute("vector-effect")));
        Assert.Empty(cut.FindAll("polyline"));
    }

    [Fact]
    public void TrendChart_ValueBetweenGaps_StillHasItsDot()
    {
        var cut = Ctx.Render<TrendChart>(p => p.Add(c => c.Points,
            [(T0, None), (T0.AddDays(7), new MetricSummary(60, null, 60, 1, 0)), (T0.AddDays(14), None)]));

        Assert.Single(cut.FindAll("[data-testid=trend-dot]"));
    }

    [Fact]
    public void TrendChart_NoValueAnywhere_DrawsNothing_NotAMaxOfOneSecond()
    {
        var cut = Ctx.Render<TrendChart>(p => p.Add(c => c.Points, [(T0, None), (T0.AddDays(7), None)]));

        Assert.Empty(cut.FindAll("[data-testid=trend-chart]"));
        Assert.DoesNotContain("max", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricCard_MtbfWithoutSamples_SaysItNeedsTwoIncidents()
    {
        var cut = Ctx.Render<MetricCard>(p => p.Add(c => c.Name, "MTBF").Add(c => c.Definition, "d").Add(c => c.Summary, None)
            .Add(c => c.Unit, "interval").Add(c => c.EmptyText, IncidentMetricsPage.EmptyText("MTBF"))
            .Add(c => c.Trend, [(T0, None)]));

        Assert.Contains("Needs two incidents", cut.Find("[data-testid=metric-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=metric-mean]"));
        Assert.DoesNotContain("max 1 s", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void TrafficChart_Title_ServiceNameAndSelectorReadApart()
    {
        // The review page read "shophost:shop.test": the name and its selector ran together.
        var cut = Ctx.Render<TrafficChart>(p => p.Add(c => c.Title, "shop").Add(c => c.Query, "host:shop.test").Add(c => c.Href, "/services/shop"));

        Assert.Contains("shop host:shop.test", cut.Find("[data-testid=traffic-chart] .mud-typography").TextContent, StringComparison.Ordinal);
    }
}
