using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

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

    [Fact]
    public async Task Admin_SeesAnotherUsersToken_AndRevokesIt()
    {
        await Portal.CreateUserAsync("tokens@e2e.test", "Tokens-password-1", Core.Auth.Roles.Engineer);
        using var api = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var created = await api.PostAsJsonAsync("/api/auth/tokens", new { email = "tokens@e2e.test", password = "Tokens-password-1", name = "laptop-cli" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<Created>())!.Token;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/me")).StatusCode);

        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync("/admin/users");
        await WaitForInteractiveAsync(Page);
        await Page.Locator("tr", new() { HasText = "tokens@e2e.test" }).GetByTestId("user-tokens").ClickAsync();
        var row = Page.Locator(".mud-dialog tr", new() { HasText = "laptop-cli" });
        await Assertions.Expect(row).ToContainTextAsync(secret[..12]);
        await row.GetByTestId("token-revoke").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
        Assert.Empty(ConsoleErrors);
    }

    private sealed record Created(long Id, string Name, string Token);
}
