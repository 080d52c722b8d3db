using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace OpsPortal.E2E;

public sealed class LiveTailTests(PortalFixture portal) : BrowserTest(portal)
{
    private sealed record TokenBody(string Token);

    [Fact]
    public async Task LiveOn_LineIngestedAfterThePageOpened_AppearsAndNonMatchingDoesNot()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs?range=15m&q=path%3A%2Fe2e-live%2F*");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("live-toggle").ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=live-tail][data-subscribed=true]")).ToBeVisibleAsync();
        await IngestAsync("/e2e-live/new", "/e2e-other/new");

        await Assertions.Expect(Page.GetByTestId("log-row").Filter(new() { HasText = "/e2e-live/new" }))
            .ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(Page.GetByTestId("live-status")).ToContainTextAsync("1 new lines");
        // Live rows never sit under a claim that nothing matches.
        await Assertions.Expect(Page.GetByText("No requests match")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByTestId("match-count")).ToContainTextAsync("when live started");
        await Assertions.Expect(Page.GetByTestId("log-row").Filter(new() { HasText = "/e2e-other/" })).ToHaveCountAsync(0);

        await Page.GetByTestId("live-pause").ClickAsync();
        await IngestAsync("/e2e-live/while-paused");
        await Assertions.Expect(Page.GetByTestId("live-status")).ToContainTextAsync("1 waiting");
        await Assertions.Expect(Page.GetByTestId("log-row").Filter(new() { HasText = "/e2e-live/while-paused" })).ToHaveCountAsync(0);

        await Page.GetByTestId("live-pause").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("log-row").Filter(new() { HasText = "/e2e-live/while-paused" })).ToBeVisibleAsync();
    }

    private async Task IngestAsync(params string[] paths)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var created = await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-live" });
        created.EnsureSuccessStatusCode();
        var token = await created.Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        foreach (var path in paths)
        {
            body.Append(CultureInfo.InvariantCulture, $"10.9.1.1 - - [{now}] \"GET {path} HTTP/1.1\" 200 10 \"-\" \"e2e\"\n");
        }
        var response = await http.PostAsync("/api/logs?format=combined&host=e2e", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }
}
