using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Services;

namespace OpsPortal.E2E;

/// <summary>A portal with jobs on, a service <c>shop</c> with its own hosts, and deploy verification shortened to seconds.</summary>
public sealed class ServicePortalFixture : PortalFixture
{
    public DeployFixture Deploys { get; } = new("""
          shop:
            description: The e2e shop
            owners: [team:web]
            tier: 1
            logs: 'host:*.shop.e2e'
            environments:
              staging:
                deploy: deploy.sh
                logs: 'host:staging.shop.e2e'
        """);

    protected override IReadOnlyDictionary<string, string> Settings => VerificationSetup.Settings(Deploys);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Deploys.Dispose();
    }
}

public sealed class ServicePageTests(ServicePortalFixture portal) : BrowserTest(portal), IClassFixture<ServicePortalFixture>
{
    private const string Host = "staging.shop.e2e";

    [Fact]
    public async Task ServicePage_ShowsHealth_ThenADeployAndItsRegressedVerdictLive_WithoutReload()
    {
        using var api = await ApiAsync();
        var start = DateTimeOffset.UtcNow;
        await IngestAsync(api, start.AddSeconds(-120), start.AddSeconds(-20), errorEvery: 100);
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync("/services");
        // The catalog links the page; opened by address (a click racing the first render was seen to be lost under load).
        await Assertions.Expect(Page.GetByTestId("services-row").Filter(new() { HasText = "shop" }).GetByRole(AriaRole.Link))
            .ToHaveAttributeAsync("href", "/services/shop");
        await Page.GotoAsync("/services/shop");
        await Assertions.Expect(Page.GetByTestId("service-page")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("service-name")).ToHaveTextAsync("shop");
        await Assertions.Expect(Page.GetByTestId("service-owners")).ToContainTextAsync("team:web");
        await Assertions.Expect(Page.GetByTestId("service-chart-requests")).Not.ToHaveAttributeAsync("data-points", "0");
        await Assertions.Expect(Page.GetByTestId("service-alerts-ok")).ToBeVisibleAsync();
        var staging = Page.Locator("[data-testid=service-version][data-environment=staging]");
        await Assertions.Expect(staging).ToContainTextAsync("never");

        // A deploy through the API, with good traffic before the switch and bad after it (sent at once: the
        // verifier judges when the window has passed). The open page follows both without a reload.
        var (id, switchedAt) = await VerificationSetup.DeployAsync(api, "shop", "staging", "2.0-regress");
        await IngestAsync(api, switchedAt.AddSeconds(-12), switchedAt, errorEvery: 100);
        await IngestAsync(api, switchedAt, switchedAt.AddSeconds(13), errorEvery: 4);
        await Assertions.Expect(staging).ToContainTextAsync("2.0-regress", new() { Timeout = 20_000 });
        await Assertions.Expect(staging.GetByTestId("impact-verdict")).ToHaveAttributeAsync("data-verdict", "regressed", new() { Timeout = 60_000 });
        await Assertions.Expect(Page.GetByTestId("service-status")).ToHaveTextAsync("last deploy regressed");
        await Assertions.Expect(Page.Locator($"[data-testid=service-deploy][data-deploy='{id}']").GetByTestId("impact-verdict"))
            .ToHaveAttributeAsync("data-verdict", "regressed");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "ServicePage.png"), FullPage = true });

        // From the page to the deploy, where the impact card offers the rollback.
        await Page.Locator($"[data-testid=service-deploy][data-deploy='{id}']").GetByRole(AriaRole.Link, new() { Name = $"#{id}" }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("deploy-page")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("2.0-regress");
    }

    private async Task<HttpClient> ApiAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-services" })).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());
        return http;
    }

    /// <summary>20 requests a second on the staging host over [from, to); every <paramref name="errorEvery"/>-th a 502.</summary>
    private static async Task IngestAsync(HttpClient api, DateTimeOffset from, DateTimeOffset to, int errorEvery)
    {
        var body = new StringBuilder();
        var n = 0;
        for (var t = from; t < to; t = t.AddSeconds(1))
        {
            for (var i = 0; i < 20; i++, n++)
            {
                var at = t.AddMilliseconds(50 * i).UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
                body.Append(CultureInfo.InvariantCulture, $"10.9.2.{n % 200} - - [{at}] \"GET /cart/{n % 30} HTTP/1.1\" {(n % errorEvery == 0 ? 502 : 200)} 10 \"-\" \"e2e\"\n");
            }
        }
        var response = await api.PostAsync($"/api/logs?format=combined&host={Host}", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }
}
