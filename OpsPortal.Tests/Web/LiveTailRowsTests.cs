using Bunit;
using OpsPortal.Core.Logs;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Logs;

namespace OpsPortal.Tests.Web;

/// <summary>LogRows as a live tail drives it: new lines above, the oldest falling off the cap.</summary>
public sealed class LiveTailRowsTests : MudComponentTest
{
    [Fact]
    public void NewLinesAbove_RenderOnlyTheNewRows()
    {
        var old = Enumerable.Range(1, 50).Select(Row).Reverse().ToList();
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, old));

        var fresh = Enumerable.Range(51, 3).Select(Row).Reverse().ToList();
        cut.Render(p => p.Add(x => x.Rows, [.. fresh, .. old.Take(47)]));

        var lines = cut.FindComponents<LogRowLine>();
        Assert.Equal(50, lines.Count);
        Assert.Equal(["/p/53", "/p/52", "/p/51", "/p/50"], cut.FindAll("td.log-path").Take(4).Select(td => td.TextContent));
        // Each row rendered once, when it arrived: the 47 kept ones were not rendered again.
        Assert.All(lines, line => Assert.Equal(1, line.RenderCount));
    }

    [Fact]
    public void ClickingARow_OpensItsFields_AndClosesTheOneOpenBefore()
    {
        var rows = Enumerable.Range(1, 3).Select(Row).ToList();
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, rows));

        cut.FindAll("[data-testid=log-row]")[0].Click();
        Assert.Contains("/p/1", cut.Find("[data-testid=log-detail]").TextContent, StringComparison.Ordinal);

        cut.FindAll("[data-testid=log-row]")[2].Click();
        var detail = Assert.Single(cut.FindAll("[data-testid=log-detail]"));
        Assert.Contains("/p/3", detail.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void SameRowTwice_ShowsOnce()
    {
        var row = Row(7);
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, [row, Row(6), row]));

        Assert.Equal(2, cut.FindAll("[data-testid=log-row]").Count);
    }

    [Theory]
    [InlineData(503, "mud-chip-color-error")]
    [InlineData(404, "mud-chip-color-warning")]
    [InlineData(200, "mud-chip-color-success")]
    public void StatusChip_ColouredByClass(int status, string expected)
    {
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, [Row(1) with { Status = status }]));

        var chip = cut.Find("[data-testid=log-row] .mud-chip");
        Assert.Contains(expected, chip.ClassList);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), chip.TextContent);
    }

    private static LogRow Row(int id) => new(id, new DateTime(2026, 11, 26, 12, 0, id % 60, DateTimeKind.Utc), "10.0.0.1", "web-1", null, "GET",
        $"/p/{id}", "HTTP/1.1", 200, 10, null, null, null, null, null, null, null, null, null, null, null, null, null);
}
