using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Dashboards;

namespace OpsPortal.E2E;

/// <summary>Edit mode's drag-and-drop and keyboard layout, the metric-name autocomplete, and "Copy", in both themes.</summary>
public sealed class DashboardLayoutTests(PortalFixture portal) : BrowserTest(portal), IClassFixture<PortalFixture>
{
    private const string Password = "Layout-password-1";

    private static PanelSpec Panel(string title) => new() { Title = title, Source = PanelSource.Logs, Query = "host:layout.e2e", Measure = "requests", Display = PanelDisplay.Number, Width = 4 };

    private async Task<Dashboard> TeamDashboardAsync(string title, params string[] panels)
    {
        var store = Portal.Services.GetRequiredService<DashboardStore>();
        var created = await store.CreateAsync(new Actor("lead@e2e.test", Roles.Engineer), new DashboardInput(title, null, [.. panels.Select(Panel)]));
        Assert.True(created.TryGet(out var dashboard, out var refusal), refusal?.Detail);
        return dashboard;
    }

    /// <summary>Signs a new user with <paramref name="role"/> in and opens <paramref name="dashboard"/>, ready for clicks.</summary>
    private async Task OpenAsync(Dashboard dashboard, string email, string role)
    {
        await Portal.CreateUserAsync(email, Password, role);
        await SignInAsync(email, Password);
        await Page.GotoAsync($"/dashboards/{dashboard.Id}");
        await WaitForInteractiveAsync(Page);
    }

    /// <summary>A drag and an Alt+arrow reorder the panels; Save keeps the order over a reload; a save on a stale revision is refused.</summary>
    [Fact]
    public async Task EditMode_DragAndAltArrowReorder_SavedOrderSurvivesReload_StaleSaveRefused()
    {
        var dashboard = await TeamDashboardAsync("Layout", "Alpha", "Bravo", "Charlie");
        await OpenAsync(dashboard, "layout@e2e.test", Roles.Engineer);
        var titles = Page.Locator("[data-testid=dashboard-grid] .dash-panel-title");
        await Assertions.Expect(titles).ToHaveTextAsync(["Alpha", "Bravo", "Charlie"]);

        await Page.GetByTestId("dashboard-edit").ClickAsync();
        var slots = Page.GetByTestId("dashboard-slot");
        await Assertions.Expect(slots).ToHaveCountAsync(3);
        await slots.Nth(0).DragToAsync(slots.Nth(2));
        await Assertions.Expect(titles).ToHaveTextAsync(["Bravo", "Charlie", "Alpha"]);

        // The keyboard way: Alt+→ on a focused panel moves it one place on, and the focus goes with it.
        await slots.Nth(0).FocusAsync();
        await Page.Keyboard.PressAsync("Alt+ArrowRight");
        await Assertions.Expect(titles).ToHaveTextAsync(["Charlie", "Bravo", "Alpha"]);
        await Assertions.Expect(slots.Nth(1)).ToBeFocusedAsync();
        await slots.Nth(2).GetByTestId("panel-width-button").ClickAsync();
        await Assertions.Expect(slots.Nth(2).GetByTestId("panel-width-button")).ToHaveTextAsync("6/12");
        await ShootBothThemesAsync("DashboardEditMode");
        await AssertNoSeriousAxeViolationsAsync("edit mode");

        await Page.GetByTestId("dashboard-save").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("dashboard-edit")).ToBeVisibleAsync();
        await Page.ReloadAsync();
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(titles).ToHaveTextAsync(["Charlie", "Bravo", "Alpha"]);

        // Someone else saves while this editor is still dragging: this save is refused, theirs stays.
        await Page.GetByTestId("dashboard-edit").ClickAsync();
        await slots.Nth(2).DragToAsync(slots.Nth(0));
        await Assertions.Expect(titles).ToHaveTextAsync(["Alpha", "Charlie", "Bravo"]);
        var store = Portal.Services.GetRequiredService<DashboardStore>();
        var other = await store.UpdateAsync(new Actor("other@e2e.test", Roles.Engineer), dashboard.Id,
            new DashboardInput("Layout (theirs)", null, [Panel("Delta")], BaseRevision: 2));
        Assert.True(other.Succeeded, other.Refusal?.Detail);
        await Page.GetByTestId("dashboard-save").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("refusal")).ToContainTextAsync("Changed meanwhile");
        Assert.True((await store.GetAsync(Actor.System("e2e"), dashboard.Id)).TryGet(out var kept, out _));
        Assert.Equal(["Delta"], kept.Panels.Select(p => p.Title));
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>Dragging a panel's right edge to half the grid makes it 6 of 12 columns; the keys and a finger resize too; Save keeps it over a reload.</summary>
    [Fact]
    public async Task EditMode_DragRightEdgeToHalfTheGrid_SnapsTo6Of12_KeysStep_SavedWidthSurvivesReload()
    {
        var dashboard = await TeamDashboardAsync("Resize", "Alpha", "Bravo");
        await OpenAsync(dashboard, "resize@e2e.test", Roles.Engineer);
        await Page.GetByTestId("dashboard-edit").ClickAsync();
        var slots = Page.GetByTestId("dashboard-slot");
        var widths = Page.GetByTestId("panel-width-button");
        await Assertions.Expect(widths).ToHaveTextAsync(["4/12", "4/12"]);

        var handle = slots.Nth(0).GetByRole(AriaRole.Separator, new() { Name = "Width of Alpha" });
        var from = await handle.BoundingBoxAsync() ?? throw new InvalidOperationException("no resize handle");
        var grid = await Page.GetByTestId("dashboard-grid").BoundingBoxAsync() ?? throw new InvalidOperationException("no grid");
        var y = from.Y + from.Height / 2;
        await Page.Mouse.MoveAsync(from.X + from.Width / 2, y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(grid.X + grid.Width / 2, y, new() { Steps = 12 });
        // While the button is held the outline shows the width the panel would get.
        await Assertions.Expect(Page.GetByTestId("panel-resize-preview")).ToHaveTextAsync("6/12");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DashboardResizeDragging.png") });
        await Page.Mouse.UpAsync();
        await Assertions.Expect(widths).ToHaveTextAsync(["6/12", "4/12"]);
        await Assertions.Expect(handle).ToHaveAttributeAsync("aria-valuenow", "6");
        await Assertions.Expect(Page.GetByTestId("panel-resize-preview")).ToHaveCountAsync(0);
        // The drag started inside a movable panel but resized it: nothing moved, nothing is left marked as dragged.
        await Assertions.Expect(Page.Locator("[data-testid=dashboard-grid] .dash-panel-title")).ToHaveTextAsync(["Alpha", "Bravo"]);
        await Assertions.Expect(Page.Locator(".dash-slot-dragging")).ToHaveCountAsync(0);

        // Escape in the middle of a drag drops it: the release changes nothing.
        await Page.Mouse.MoveAsync(grid.X + grid.Width / 2, y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(grid.X + grid.Width - 4, y, new() { Steps = 6 });
        await Assertions.Expect(Page.GetByTestId("panel-resize-preview")).ToHaveTextAsync("12/12");
        await Page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(Page.GetByTestId("panel-resize-preview")).ToHaveCountAsync(0);
        await Page.Mouse.UpAsync();
        await Assertions.Expect(handle).ToHaveAttributeAsync("data-width", "6");
        await Assertions.Expect(widths).ToHaveTextAsync(["6/12", "4/12"]);

        // The keyboard ways: ←/→ on the focused handle, Shift+Alt+←/→ on the focused panel; one step each.
        var bravo = slots.Nth(1).GetByRole(AriaRole.Separator, new() { Name = "Width of Bravo" });
        await bravo.FocusAsync();
        await Page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(widths).ToHaveTextAsync(["6/12", "6/12"]);
        await Assertions.Expect(bravo).ToBeFocusedAsync();
        await slots.Nth(1).FocusAsync();
        await Page.Keyboard.PressAsync("Shift+Alt+ArrowRight");
        await Assertions.Expect(widths).ToHaveTextAsync(["6/12", "12/12"]);
        await Page.Keyboard.PressAsync("Shift+Alt+ArrowLeft");
        await Assertions.Expect(widths).ToHaveTextAsync(["6/12", "6/12"]);
        await ShootBothThemesAsync("DashboardResizeHandle");
        await AssertNoSeriousAxeViolationsAsync("edit mode with resize handles");

        // A finger: Alpha's grip, now at the grid's middle, pulled back by two columns (the page must not pan instead).
        var touch = await Context.NewCDPSessionAsync(Page);
        Task TouchAsync(string type, params (double X, double Y)[] points) => touch.SendAsync("Input.dispatchTouchEvent", new()
        {
            ["type"] = type,
            ["touchPoints"] = points.Select(p => new Dictionary<string, object> { ["x"] = p.X, ["y"] = p.Y }).ToArray(),
        });
        var mid = await handle.BoundingBoxAsync() ?? throw new InvalidOperationException("no resize handle");
        var (x, to) = (mid.X + mid.Width / 2, mid.X + mid.Width / 2 - grid.Width * 2 / 12);
        await TouchAsync("touchStart", (x, y));
        for (var step = 1; step <= 8; step++)
        {
            await TouchAsync("touchMove", (x + (to - x) * step / 8, y));
        }
        await TouchAsync("touchEnd");
        await Assertions.Expect(widths).ToHaveTextAsync(["4/12", "6/12"]);

        await Page.GetByTestId("dashboard-save").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("dashboard-edit")).ToBeVisibleAsync();
        await Page.ReloadAsync();
        await WaitForInteractiveAsync(Page);
        var panels = Page.Locator("[data-testid=dashboard-grid] [data-testid=dashboard-panel]");
        await Assertions.Expect(panels.Nth(0)).ToHaveAttributeAsync("data-width", "4");
        await Assertions.Expect(panels.Nth(1)).ToHaveAttributeAsync("data-width", "6");
        await Page.GetByTestId("dashboard-edit").ClickAsync();
        await Assertions.Expect(widths).ToHaveTextAsync(["4/12", "6/12"]);
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>In the panel editor, typing a metric name offers the names seen; the keyboard picks one.</summary>
    [Fact]
    public async Task PanelEditor_TypingAMetricName_OffersSeenNames_KeyboardPicksOne()
    {
        await using (var conn = new NpgsqlConnection(Portal.Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("INSERT INTO metric_series (name, kind) VALUES ('layout.e2e.orders', 1), ('layout.e2e.checkout', 3) ON CONFLICT DO NOTHING", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var dashboard = await TeamDashboardAsync("Names");
        await OpenAsync(dashboard, "names@e2e.test", Roles.Engineer);
        await Page.GetByTestId("dashboard-edit").ClickAsync();
        await Page.GetByTestId("dashboard-add-panel").ClickAsync();
        await Page.GetByTestId("panel-title").FillAsync("Orders");
        await Page.GetByRole(AriaRole.Radio, new() { Name = "Metric", Exact = true }).CheckAsync();
        // The log query's field gives way to the metric-name field: wait for it before typing.
        var query = Page.GetByRole(AriaRole.Combobox).And(Page.GetByTestId("panel-query"));
        await Assertions.Expect(query).ToBeVisibleAsync();
        await query.PressSequentiallyAsync("layout.e2e.");
        var offered = Page.Locator(".mud-popover-open .mud-list-item");
        await Assertions.Expect(offered).ToHaveTextAsync(["layout.e2e.checkout", "layout.e2e.orders"]);
        // The first name is highlighted; ↓ moves to the next, Enter takes it. (Before the screenshots: a theme
        // switch re-renders the list and forgets the highlight, which once made ↓ land on the first name.)
        await query.PressAsync("ArrowDown");
        await query.PressAsync("Enter");
        await Assertions.Expect(query).ToHaveValueAsync("layout.e2e.orders");
        await query.FillAsync("");
        await query.PressSequentiallyAsync("layout.e2e.");
        await Assertions.Expect(offered).ToHaveTextAsync(["layout.e2e.checkout", "layout.e2e.orders"]);
        await ShootBothThemesAsync("DashboardMetricNames");
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>A Viewer copies a team dashboard: only a personal copy is offered, and it opens as theirs.</summary>
    [Fact]
    public async Task CopyButton_ViewerCopiesTeamDashboard_OpensTheirPersonalCopy()
    {
        var dashboard = await TeamDashboardAsync("Shop floor", "Alpha", "Bravo");
        await OpenAsync(dashboard, "copier@e2e.test", Roles.Viewer);

        await Page.GetByTestId("dashboard-copy").ClickAsync();
        var name = Page.GetByTestId("copy-name");
        await Assertions.Expect(name).ToHaveValueAsync("Shop floor (copy)");
        await Assertions.Expect(Page.GetByRole(AriaRole.Radio, new() { Name = "Team: everyone sees it, Engineers change it" })).ToBeDisabledAsync();
        await ShootBothThemesAsync("DashboardCopyDialog");
        await AssertNoSeriousAxeViolationsAsync("copy dialog");
        await name.FillAsync("My shop floor");
        await Page.GetByTestId("copy-done").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("dashboard-title")).ToHaveTextAsync("My shop floor");
        Assert.DoesNotMatch($"/dashboards/{dashboard.Id}$", Page.Url);
        await Assertions.Expect(Page.Locator(".mud-chip").Filter(new() { HasText = "personal" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("[data-testid=dashboard-grid] .dash-panel-title")).ToHaveTextAsync(["Alpha", "Bravo"]);
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>A screenshot in the current theme and one in the other (the toggle saves it for this test's own user).</summary>
    private async Task ShootBothThemesAsync(string name)
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        var toggle = Page.GetByTestId("theme-toggle");
        var first = await toggle.GetAttributeAsync("data-theme");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{name}-{first}.png") });
        await toggle.EvaluateAsync("b => b.click()");
        var second = first == "dark" ? "light" : "dark";
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-theme", second);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{name}-{second}.png") });
    }

    private async Task AssertNoSeriousAxeViolationsAsync(string where)
    {
        var result = await Page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var found = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id} ({v.Help}) at " + string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html.Length > 120 ? n.Html[..120] : n.Html))).ToList();
        Assert.True(found.Count == 0, $"axe-core ({where}) found:\n" + string.Join('\n', found));
    }
}
