using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;

namespace OpsPortal.E2E;

public sealed class DashboardTests(PortalFixture portal) : BrowserTest(portal), IClassFixture<PortalFixture>
{
    private const string Host = "dash.e2e";

    /// <summary>A Logs search becomes a panel; a deploy finishing shows as a marker without a reload; a drag zooms and lands in the URL.</summary>
    [Fact]
    public async Task LogsQuery_AddedAsPanel_DeployMarkerAppearsLive_DragZooms()
    {
        await IngestAsync(DateTimeOffset.UtcNow.AddMinutes(-30), 1800);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync($"/logs?q={Uri.EscapeDataString($"host:{Host}")}&range=1h");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("add-to-dashboard")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/dashboards/add-panel\\?q=host%3Adash\\.e2e"));
        await Page.GotoAsync(await Page.GetByTestId("add-to-dashboard").GetAttributeAsync("href") ?? "");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("add-panel-query")).ToHaveTextAsync($"host:{Host}");
        await Page.GetByTestId("add-panel-save").ClickAsync();

        await Page.WaitForURLAsync("**/dashboards/*?range=1h", new() { Timeout = 30_000 });
        await WaitForInteractiveAsync(Page);
        var panel = Page.GetByTestId("dashboard-panel");
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-state", "ready", new() { Timeout = 30_000 });
        await Assertions.Expect(panel.GetByTestId("panel-chart")).Not.ToHaveAttributeAsync("data-points", "0");
        await Assertions.Expect(panel.Locator("[data-testid=chart-marker][data-kind=deploy]")).ToHaveCountAsync(0);

        // A deploy finishes (its event committed as the deploy runner commits it, on the spine): the marker appears, no reload.
        await using (var db = Portal.Database.CreateContext())
        {
            new EventLog(TimeProvider.System).Append(db, "system:deploys", DeployEventKinds.Succeeded, DeployEventKinds.Subject, "77",
                "deploy #77 shop 2.0 → production succeeded", "shop", new { Action = "deploy", Version = "2.0" });
            await db.SaveChangesAsync();
        }
        await Assertions.Expect(panel.Locator("[data-testid=chart-marker][data-kind=deploy]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "Dashboard.png"), FullPage = true });

        // Drag across the chart from a quarter to a half of its width.
        var box = await panel.Locator(".ts-plot svg").BoundingBoxAsync();
        Assert.NotNull(box);
        var y = box.Y + box.Height / 2;
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.25f, y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.375f, y, new() { Steps = 5 });
        await Page.Mouse.MoveAsync(box.X + box.Width * 0.5f, y, new() { Steps = 5 });
        await Page.Mouse.UpAsync();
        await Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("from=.*&to="), new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("dash-zoomed")).ToBeVisibleAsync();
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-state", "ready", new() { Timeout = 30_000 });
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>One request a second on the e2e host over [from, from + seconds).</summary>
    private async Task IngestAsync(DateTimeOffset from, int seconds)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-dashboards" })).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());
        var body = new StringBuilder();
        for (var i = 0; i < seconds; i++)
        {
            var at = from.AddSeconds(i).UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
            body.Append(CultureInfo.InvariantCulture, $"10.9.3.{i % 200} - - [{at}] \"GET /cart/{i % 9} HTTP/1.1\" {(i % 20 == 0 ? 502 : 200)} 10 \"-\" \"e2e\"\n");
        }
        (await http.PostAsync($"/api/logs?format=combined&host={Host}", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
    }
}
