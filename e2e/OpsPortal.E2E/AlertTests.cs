using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Services;

namespace OpsPortal.E2E;

/// <summary>Alerts evaluate every second here, so a rule fires within a few seconds of being saved.</summary>
public sealed class AlertPortalFixture : PortalFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Alerts:MinIntervalSeconds"] = "1",
        ["OpsPortal:Alerts:PollInterval"] = "00:00:00.200",
    };
}

public sealed class AlertTests(AlertPortalFixture portal) : BrowserTest(portal), IClassFixture<AlertPortalFixture>
{
    private const string Host = "e2e-alerts.test";

    [Fact]
    public async Task CreateAlertFromLogsQuery_FiresOnAlertsPageAndHome_Acknowledge()
    {
        var saved = await Portal.Services.GetRequiredService<ServiceCatalog>().SaveAsync(new Actor("admin@e2e.test", Roles.Admin), "e2e-shop",
            new ServiceInput("e2e shop", ["team:web"], 2, null, $"host:{Host}", null));
        Assert.True(saved.Succeeded, saved.Refusal?.Message);
        await IngestBurstAsync();
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync($"/logs?q={Uri.EscapeDataString($"host:{Host} status:5xx")}");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("create-alert-from-logs").ClickAsync();
        await Page.WaitForURLAsync("**/alerts/rules/new**");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("rule-query")).ToHaveValueAsync($"host:{Host} status:5xx");
        await Page.GetByTestId("rule-interval").FillAsync("2");
        await Page.GetByTestId("rule-critical").FillAsync("5");
        await Page.GetByTestId("rule-critical").BlurAsync();
        await Page.GetByTestId("backtest-run").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("backtest-summary")).ToContainTextAsync("Would have fired 1 time");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "AlertRuleBacktest.png"), FullPage = true });
        await Page.GetByTestId("rule-save").ClickAsync();
        await Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/alerts/rules/\\d+$"));

        await Page.GotoAsync("/alerts");
        await WaitForInteractiveAsync(Page);
        var table = Page.GetByTestId("alerts-table");
        await Assertions.Expect(table).ToContainTextAsync($"Lines matching host:{Host}", new() { Timeout = 60_000 });
        await Assertions.Expect(table.GetByTestId("alert-state").First).ToHaveTextAsync("CRITICAL");

        await Page.GotoAsync("/");
        await Assertions.Expect(Page.GetByTestId("alerts-card")).ToContainTextAsync($"Lines matching host:{Host}");

        await Page.GotoAsync("/alerts");
        await WaitForInteractiveAsync(Page);
        await Page.GetByTestId("alert-ack").First.ClickAsync();
        await Page.GetByTestId("ack-comment").FillAsync("e2e: on it");
        await Page.GetByTestId("ack-confirm").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("alert-acked")).ToContainTextAsync("ack by admin@e2e.test");
    }

    private async Task IngestBurstAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-alerts" })).Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
        var body = new StringBuilder();
        // All in the last whole minute: the backtest sums whole minutes up to the current one, so lines that
        // ran into the current minute (a burst of the last 60 s, started 55 s or more into a minute) fell short.
        var now = DateTime.UtcNow;
        var lastMinute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(-1);
        for (var i = 0; i < 20; i++)
        {
            var at = lastMinute.AddSeconds(i).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
            body.Append(CultureInfo.InvariantCulture, $"10.9.1.{i} - - [{at}] \"GET /pay/{i} HTTP/1.1\" {(i < 15 ? 503 : 200)} 10 \"-\" \"e2e\"\n");
        }
        var response = await http.PostAsync($"/api/logs?format=combined&host={Host}", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    private sealed record TokenBody(long Id, string Name, string Token);
}
