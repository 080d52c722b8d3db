using Bunit;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Components.Charts;

namespace OpsPortal.Tests.Web.Charts;

public class TimeSeriesChartTests : MudComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    private static ChartSeries Minutes(string name, params double?[] values) =>
        new(name, values.Select((v, i) => new ChartPoint(T0.AddMinutes(i), v)).ToList());

    [Fact]
    public void Render_SeriesWithAGap_DrawsTwoLines_WithValueAndTimeAxes()
    {
        var cut = Ctx.Render<TimeSeriesChart>(p => p
            .Add(c => c.Series, [Minutes("requests", 10, 20, null, 40, 35)])
            .Add(c => c.From, T0).Add(c => c.To, T0.AddMinutes(4)));

        Assert.Equal(2, cut.FindAll("polyline").Count + cut.FindAll("line[stroke-linecap=round]").Count);
        Assert.Equal(["0", "10", "20", "30", "40"], cut.FindAll(".ts-yaxis span").Select(s => s.TextContent));
        Assert.Contains("09:00", cut.FindAll(".ts-xaxis span").Select(s => s.TextContent));
        Assert.Equal("4", cut.Find("[data-testid=time-chart]").GetAttribute("data-points"));
    }

    [Fact]
    public void Render_DeployMarkerInRange_IsDrawn_OutOfRange_IsNot()
    {
        var cut = Ctx.Render<TimeSeriesChart>(p => p
            .Add(c => c.Series, [Minutes("5xx", 1, 2, 3)])
            .Add(c => c.Markers, [new ChartMarker(T0.AddMinutes(1), "deploy web 1.4.2", MarkerKind.Deploy),
                new ChartMarker(T0.AddHours(5), "later", MarkerKind.Alert)]));

        var marker = Assert.Single(cut.FindAll("[data-testid=chart-marker]"));
        Assert.Equal("deploy", marker.GetAttribute("data-kind"));
        Assert.Contains("deploy web 1.4.2", marker.TextContent);
    }

    [Fact]
    public void Render_ThresholdAboveTheData_StretchesTheAxisToShowIt()
    {
        var cut = Ctx.Render<TimeSeriesChart>(p => p
            .Add(c => c.Series, [Minutes("ratio", 0.5, 0.7)])
            .Add(c => c.Thresholds, [new ChartThreshold(2, "CRITICAL", "red")]));

        Assert.Single(cut.FindAll("[data-testid=chart-threshold]"));
        Assert.Equal("2", cut.FindAll(".ts-yaxis span")[^1].TextContent);
        Assert.Equal("CRITICAL", cut.Find(".ts-threshold-label").TextContent);
    }

    [Fact]
    public void Render_OnePoint_ShowsItsValue()
    {
        var cut = Ctx.Render<TimeSeriesChart>(p => p
            .Add(c => c.Series, [Minutes("MTTR", 3600)])
            .Add(c => c.Format, v => $"{v / 60:0} min"));

        Assert.Equal("60 min", cut.Find("[data-testid=ts-single]").TextContent);
    }

    [Fact]
    public void Render_NoPoints_SaysSo()
    {
        var cut = Ctx.Render<TimeSeriesChart>(p => p.Add(c => c.Series, [Minutes("requests", null, null)]));

        Assert.Equal("No data in this range.", cut.Find("[data-testid=ts-empty]").TextContent);
    }

    [Fact]
    public async Task DragAcrossColumns_ZoomsToThatRange()
    {
        (DateTimeOffset From, DateTimeOffset To)? zoomed = null;
        var cut = Ctx.Render<TimeSeriesChart>(p => p
            .Add(c => c.Series, [Minutes("requests", 1, 2, 3, 4, 5)])
            .Add(c => c.From, T0).Add(c => c.To, T0.AddMinutes(100))
            .Add(c => c.OnZoom, r => zoomed = r));

        var columns = cut.FindAll("rect.ts-hit");
        await columns[10].TriggerEventAsync("onmousedown", new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        await cut.FindAll("rect.ts-hit")[19].TriggerEventAsync("onmouseover", new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        await cut.FindAll("rect.ts-hit")[19].TriggerEventAsync("onmouseup", new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        Assert.Equal((T0.AddMinutes(10), T0.AddMinutes(20)), zoomed);
    }
}
