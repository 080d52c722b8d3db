using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Services;

namespace OpsPortal.E2E;

/// <summary>A portal with jobs on and a service <c>cart</c> deployed to staging, then production.</summary>
public sealed class PromotionPortalFixture : PortalFixture
{
    public DeployFixture Deploys { get; } = new("""
          cart:
            description: The e2e cart
            logs: 'host:*.cart.e2e'
            environments:
              staging:
                deploy: deploy.sh
              production:
                deploy: deploy.sh
        """);

    protected override IReadOnlyDictionary<string, string> Settings => VerificationSetup.Settings(Deploys);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Deploys.Dispose();
    }
}

public sealed class PromotionTests(PromotionPortalFixture portal) : BrowserTest(portal), IClassFixture<PromotionPortalFixture>
{
    [Fact]
    public async Task ServicePage_PromoteStagingToProduction_DeployRunsAndTheVersionMoves()
    {
        using var api = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await api.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-promotion" })).Content.ReadFromJsonAsync<JsonElement>();
        api.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());
        await VerificationSetup.DeployAsync(api, "cart", "production", "1.0");
        await VerificationSetup.DeployAsync(api, "cart", "staging", "1.1");
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync("/services/cart");
        await Assertions.Expect(Page.GetByTestId("service-page")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        var production = Page.Locator("[data-testid=service-version][data-environment=production]");
        await Assertions.Expect(production).ToContainTextAsync("1.0");
        await production.GetByTestId("service-promote").ClickAsync();

        await Assertions.Expect(Page.GetByTestId("promote-explained")).ToContainTextAsync("The version staging runs now");
        await Assertions.Expect(Page.GetByTestId("deploy-confirm")).ToHaveTextAsync("Promote 1.1 to production");
        await Assertions.Expect(Page.GetByTestId("deploy-from-to")).ToHaveTextAsync("1.0 → 1.1");
        await Assertions.Expect(Page.GetByTestId("deploy-confirmation")).ToContainTextAsync("OPS_ENVIRONMENT=production");
        await Page.GetByTestId("deploy-confirm").ClickAsync();

        // The promotion is an ordinary deploy: its page streams it to the end.
        await Assertions.Expect(Page.GetByTestId("deploy-page")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("deploy-version")).ToHaveTextAsync("1.1");
        await Assertions.Expect(Page.GetByTestId("deploy-promoted-from")).ToHaveTextAsync("staging");
        await Assertions.Expect(Page.GetByTestId("deploy-status").First).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 60_000 });
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "Promotion.png"), FullPage = true });

        await Page.GotoAsync("/services/cart");
        await Assertions.Expect(production).ToContainTextAsync("1.1", new() { Timeout = 30_000 });
        await Assertions.Expect(production.GetByTestId("service-promote")).ToHaveCountAsync(0);

        // A weekly window coming up is listed on the board; the drift view says all is in sync.
        var window = await api.PostAsJsonAsync("/api/deploys/locks", new
        {
            service = "cart",
            environment = "production",
            reason = "weekly DB maintenance",
            startsAt = DateTimeOffset.UtcNow.AddDays(1),
            expiresAt = DateTimeOffset.UtcNow.AddDays(1).AddHours(2),
            repeatsWeekly = true,
        });
        window.EnsureSuccessStatusCode();
        await Page.GotoAsync("/deploys");
        await Assertions.Expect(Page.GetByTestId("deploys-page")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("maintenance-window")).ToContainTextAsync("weekly DB maintenance", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.GetByTestId("deploy-drift-summary")).ToHaveTextAsync("all in sync");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "DeploysBoard.png"), FullPage = true });
    }
}
