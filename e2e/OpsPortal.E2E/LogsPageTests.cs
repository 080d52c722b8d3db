using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace OpsPortal.E2E;

public sealed class LogsPageTests(PortalFixture portal) : BrowserTest(portal)
{
    private sealed record TokenBody(string Token);

    [Fact]
    public async Task Query_ShowsHistogramRowsFacets_AndFacetClickAddsFilter()
    {
        await IngestAsync();
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs?range=15m");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("log-query").FillAsync("path:/e2e-logs/*");
        await Page.GetByTestId("log-query").PressAsync("Enter");

        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("12");
        await Assertions.Expect(Page.GetByTestId("log-row")).ToHaveCountAsync(12);
        await Assertions.Expect(Page.Locator("[data-testid=histogram] rect.hist-5xx").First).ToBeAttachedAsync();
        await Assertions.Expect(Page.GetByTestId("facet-status")).ToContainTextAsync("503");
        await Assertions.Expect(Page.GetByTestId("histogram-yaxis")).ToContainTextAsync("0");

        await Page.GetByTestId("facet-status").GetByText("503").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("2");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status%3A503"));
        await Assertions.Expect(Page.GetByTestId("log-row")).ToHaveCountAsync(2);
    }

    /// <summary>Issue 21.11: the path facet counts /screen once however many query strings it had; the row
    /// shows the full request and its detail the path and the query string apart.</summary>
    [Fact]
    public async Task QueryStrings_PathFacetGroupsThem_RowShowsTheFullRequest()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        using (var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) })
        {
            var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
                new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e" })).Content.ReadFromJsonAsync<TokenBody>();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
            var now = DateTime.UtcNow.AddMinutes(-2).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
            var body = new StringBuilder();
            for (var i = 0; i < 5; i++)
            {
                body.Append(CultureInfo.InvariantCulture, $"10.9.2.{i} - - [{now}] \"GET /e2e-screen-{tag}?id={17 + i}&ts={1000 + i} HTTP/1.1\" 200 10 \"-\" \"e2e\"\n");
            }
            (await http.PostAsync("/api/logs?format=combined&host=e2e", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync($"/logs?range=15m&q=path%3A%2Fe2e-screen-{tag}");
        await WaitForInteractiveAsync(Page);

        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("5");
        var facet = Page.GetByTestId("facet-path").GetByTestId("facet-value");
        await Assertions.Expect(facet).ToHaveCountAsync(1);
        await Assertions.Expect(facet).ToHaveTextAsync($"/e2e-screen-{tag}");
        var row = Page.GetByTestId("log-row").Filter(new() { HasText = "id=19&ts=1002" });
        await Assertions.Expect(row).ToContainTextAsync($"/e2e-screen-{tag}?id=19&ts=1002");

        await row.ClickAsync();
        var detail = Page.GetByTestId("log-detail");
        await Assertions.Expect(detail).ToContainTextAsync("id=19&ts=1002");
        await Assertions.Expect(detail.Locator("tr", new() { HasText = "query" }).First).ToContainTextAsync("id=19&ts=1002");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "LogsQueryString.png"), FullPage = true });

        await Page.GetByTestId("log-query").FillAsync("query:id=19*");
        await Page.GetByTestId("log-query").PressAsync("Enter");
        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task BadQuery_PointsAtTheProblem()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs?q=stauts%3A500");
        await WaitForInteractiveAsync(Page);

        await Assertions.Expect(Page.GetByTestId("query-error")).ToContainTextAsync("did you mean status");
    }

    [Fact]
    public async Task TypingAFieldPrefix_OffersCompletion()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("log-query").PressSequentiallyAsync("5xx ba");
        await Assertions.Expect(Page.GetByTestId("query-suggestions").Locator(".mud-chip")).ToHaveCountAsync(4);
        await Page.GetByTestId("query-suggestions").GetByText("backendtime:").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("log-query")).ToHaveValueAsync("5xx backendtime:");
    }

    [Fact]
    public async Task CustomRange_PutsAbsoluteTimesInTheUrl()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("range-custom").ClickAsync();
        await Page.GetByTestId("range-from").FillAsync("2026-11-20 09:00");
        await Page.GetByTestId("range-to").FillAsync("2026-11-20 10:30");
        // Leaving the field commits its value on the server before Apply reads it.
        await Page.GetByTestId("range-to").PressAsync("Tab");
        await Page.GetByTestId("range-apply").ClickAsync();

        // Enhanced navigation changes the URL without a page load: wait on what the page shows.
        await Assertions.Expect(Page.Locator("text=2026-11-20 09:00:00 → 2026-11-20 10:30:00 UTC")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("from=2026-11-20T09%3A00%3A00Z"));
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("to=2026-11-20T10%3A30%3A00Z"));
    }

    [Fact]
    public async Task ThisService_PickedFromTheCatalog_SearchesItsSelector_AndTheLinkCarriesIt()
    {
        using var api = await ApiAsync();
        (await api.PutAsJsonAsync("/api/services/e2e-logsvc", new { description = "e2e", logSelector = "host:e2e-svc" })).EnsureSuccessStatusCode();
        await IngestAsync(api, "e2e-svc", 5, errors: 2);
        await IngestAsync(api, "e2e-not-the-service", 3, errors: 3);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs?range=15m&q=path%3A%2Fe2e-svc-logs%2F*");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("8");

        await Page.GetByTestId("log-service").ClickAsync();
        await Page.GetByTestId("log-service").FillAsync("logsvc");
        await Page.Locator(".mud-popover-open .mud-list-item").GetByText("e2e-logsvc").ClickAsync();

        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("service=e2e-logsvc"));
        await Assertions.Expect(Page.GetByTestId("log-service-query")).ToHaveTextAsync("host:e2e-svc");
        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("5");
        // The typed query stays the person's own; the service rides along in the link.
        await Assertions.Expect(Page.GetByTestId("log-query")).ToHaveValueAsync("path:/e2e-svc-logs/*");

        await Page.GotoAsync("/logs?service=e2e-logsvc&q=status%3A503%20path%3A%2Fe2e-svc-logs%2F*&range=15m");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(Page.GetByTestId("match-number")).ToHaveTextAsync("2");
        await Assertions.Expect(Page.GetByTestId("log-service")).ToHaveValueAsync("e2e-logsvc");
    }

    private async Task<HttpClient> ApiAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e" })).Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
        return http;
    }

    private static async Task IngestAsync(HttpClient http, string host, int count, int errors)
    {
        var now = DateTime.UtcNow.AddMinutes(-2).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"10.9.1.{i} - - [{now}] \"GET /e2e-svc-logs/{i} HTTP/1.1\" {(i < errors ? 503 : 200)} 10 \"-\" \"e2e\"\n");
        }
        (await http.PostAsync($"/api/logs?format=combined&host={host}", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
    }

    private async Task IngestAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e" })).Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
        var now = DateTime.UtcNow.AddMinutes(-2).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        for (var i = 0; i < 12; i++)
        {
            var status = i < 2 ? 503 : 200;
            body.Append(CultureInfo.InvariantCulture, $"10.9.0.{i} - - [{now}] \"GET /e2e-logs/{i} HTTP/1.1\" {status} 10 \"-\" \"e2e\"\n");
        }
        var response = await http.PostAsync("/api/logs?format=combined&host=e2e", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task EmptyFacet_ReadsAsItsNameThenNoValues_NotRunTogether()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/logs?q=path%3A%2Fnothing-ever-here%2F*");
        await WaitForInteractiveAsync(Page);

        var facet = Page.GetByTestId("facet-status");
        await Assertions.Expect(facet).ToContainTextAsync("No values in this range.");
        var text = await facet.InnerTextAsync();
        Assert.Matches(@"(?i)^status\s*\n\s*No values in this range\.$", text.Trim());
    }
}
