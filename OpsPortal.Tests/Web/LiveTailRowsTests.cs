using Bunit;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Logs.Search;

namespace OpsPortal.Tests.Web;

/// <summary>LogRows as the live tail and the search page drive it.</summary>
public sealed class LiveTailRowsTests : MudComponentTest
{
    [Fact]
    public void NewLinesAbove_ShowNewestFirst_AndTheOldestFallOff()
    {
        var old = Enumerable.Range(1, 50).Select(Row).Reverse().ToList();
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, old));

        var fresh = Enumerable.Range(51, 3).Select(Row).Reverse().ToList();
        cut.Render(p => p.Add(x => x.Rows, [.. fresh, .. old.Take(47)]));

        var paths = cut.FindAll("td.log-path").Select(td => td.TextContent).ToList();
        Assert.Equal(50, paths.Count);
        Assert.Equal(["/p/53", "/p/52", "/p/51", "/p/50"], paths.Take(4));
        Assert.Equal("/p/4", paths[^1]);
    }

    [Fact]
    public void OpeningARow_RendersOnlyTheRowsWhoseStateChanged()
    {
        var cut = Ctx.Render<LogRows>(p => p.Add(x => x.Rows, Enumerable.Range(1, 20).Select(Row).ToList()));

        cut.FindAll("[data-testid=log-row]")[3].Click();
        cut.FindAll("[data-testid=log-row]")[7].Click();

        // Row 4 rendered on open and on close, row 8 on open; the other 18 only once, at first.
        var counts = cut.FindComponents<LogRowLine>().Select(l => l.RenderCount).ToList();
        Assert.Equal(3, counts[3]);
        Assert.Equal(2, counts[7]);
        Assert.Equal(18, counts.Count(c => c == 1));
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
