using System.Net;
using System.Net.Http.Headers;

namespace OpsPortal.E2E;

public sealed class TokenTests(PortalFixture portal) : BrowserTest(portal)
{
    [Fact]
    public async Task TokenCreatedInUi_WorksOnApi_UntilRevoked()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/account/tokens");
        await WaitForInteractiveAsync(Page);

        await Page.GetByTestId("token-name").FillAsync("e2e-script");
        await Page.GetByTestId("token-create").ClickAsync();
        await Assertions.Expect(Page.GetByTestId("token-secret")).Not.ToBeEmptyAsync();
        var secret = (await Page.GetByTestId("token-secret").TextContentAsync())!.Trim();

        using var api = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var me = await api.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(PortalFixture.AdminEmail, await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var row = Page.Locator("tr", new() { HasText = "e2e-script" });
        await row.GetByTestId("token-revoke").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
    }
}
