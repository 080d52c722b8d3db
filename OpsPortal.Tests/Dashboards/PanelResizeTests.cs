using Bunit;
using Microsoft.AspNetCore.Components.Web;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Dashboards;

namespace OpsPortal.Tests.Dashboards;

/// <summary>A panel's resize handle: the snap of a drag to the allowed widths, the keyboard steps, and what the handle tells the grid.</summary>
public sealed class PanelResizeTests : MudComponentTest
{
    [Theory]
    [InlineData(0, 1200, 4, 4)]
    [InlineData(200, 1200, 4, 6)] // two columns of 100 px on: exactly 6
    [InlineData(90, 1200, 4, 4)] // 4.9 columns: nearer 4 than 6
    [InlineData(100, 1200, 4, 6)] // 5 columns, halfway: the wider
    [InlineData(50, 600, 4, 6)] // the same halfway on a grid half as wide
    [InlineData(40, 600, 4, 4)] // 4.8 columns
    [InlineData(-100, 1200, 4, 3)]
    [InlineData(250, 1200, 6, 6)] // 8.5 columns: nearer 6 than 12
    [InlineData(400, 1200, 6, 12)] // 10 columns: nearer 12
    [InlineData(-5000, 1200, 6, 3)] // far past the left edge: the narrowest
    [InlineData(5000, 1200, 6, 12)] // far past the right edge: the full row
    [InlineData(-600, 1200, 12, 6)]
    [InlineData(-300, 1200, 12, 12)] // 9 columns, halfway between 6 and 12: the wider
    public void Snap_DeltaOverGridWidth_NearestAllowedWidth(double deltaPx, double gridPx, int width, int expected) =>
        Assert.Equal(expected, PanelResizeHandle.Snap(deltaPx, gridPx, width));

    [Theory]
    [InlineData(300, 0, 4)]
    [InlineData(300, -1200, 6)]
    [InlineData(double.NaN, 1200, 6)]
    [InlineData(300, double.PositiveInfinity, 4)]
    public void Snap_NoUsableMeasure_KeepsTheWidth(double deltaPx, double gridPx, int width) =>
        Assert.Equal(width, PanelResizeHandle.Snap(deltaPx, gridPx, width));

    [Theory]
    [InlineData(3, 1, 4)]
    [InlineData(4, 1, 6)]
    [InlineData(6, 1, 12)]
    [InlineData(12, 1, 12)]
    [InlineData(12, -1, 6)]
    [InlineData(4, -1, 3)]
    [InlineData(3, -1, 3)]
    public void Step_OneAllowedWidthAtATime_StopsAtTheEnds(int width, int direction, int expected) =>
        Assert.Equal(expected, PanelResizeHandle.Step(width, direction));

    [Fact]
    public void Handle_ArrowKeysAndDrag_ReportOneNewWidth_ModifiedKeysAndNoChangeReportNothing()
    {
        Ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var changes = new List<int>();
        var cut = Ctx.Render<PanelResizeHandle>(p => p.Add(x => x.Title, "Alpha").Add(x => x.Width, 4).Add(x => x.WidthChanged, changes.Add));

        var handle = cut.Find("[data-testid=panel-resize]");
        Assert.Equal(("separator", "0", "Width of Alpha", "4", "4 of 12 columns"), (handle.GetAttribute("role"), handle.GetAttribute("tabindex"),
            handle.GetAttribute("aria-label"), handle.GetAttribute("aria-valuenow"), handle.GetAttribute("aria-valuetext")));
        Assert.Equal("3 4 6 12", handle.GetAttribute("data-widths"));
        // The browser side is hooked once, with this handle to call back.
        Assert.Single(Ctx.JSInterop.Invocations, i => i.Identifier == "opsDashboardResize.attach");

        handle.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        handle.KeyDown(new KeyboardEventArgs { Key = "ArrowLeft" });
        // Alt and Shift+Alt belong to the panel around the handle (move, resize): the handle leaves them alone.
        handle.KeyDown(new KeyboardEventArgs { Key = "ArrowRight", AltKey = true });
        handle.KeyDown(new KeyboardEventArgs { Key = "ArrowRight", AltKey = true, ShiftKey = true });
        Assert.Equal([6, 3], changes);

        cut.InvokeAsync(() => cut.Instance.Resized(205, 1200));
        cut.InvokeAsync(() => cut.Instance.Resized(30, 1200));
        Assert.Equal([6, 3, 6], changes);
    }

    [Fact]
    public void Handle_AtTheEnds_KeysReportNothing()
    {
        var changes = new List<int>();
        var narrow = Ctx.Render<PanelResizeHandle>(p => p.Add(x => x.Title, "A").Add(x => x.Width, 3).Add(x => x.WidthChanged, changes.Add));
        var full = Ctx.Render<PanelResizeHandle>(p => p.Add(x => x.Title, "B").Add(x => x.Width, 12).Add(x => x.WidthChanged, changes.Add));

        narrow.Find("[data-testid=panel-resize]").KeyDown(new KeyboardEventArgs { Key = "ArrowLeft" });
        full.Find("[data-testid=panel-resize]").KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });

        Assert.Empty(changes);
    }
}
