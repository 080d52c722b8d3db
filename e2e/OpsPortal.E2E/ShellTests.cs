using OpsPortal.Core.Auth;

namespace OpsPortal.E2E;

public sealed class ShellTests(PortalFixture portal) : BrowserTest(portal)
{
    [Fact]
    public async Task Admin_SignsIn_SeesShell_AndSignsOut()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Assertions.Expect(Page.GetByTestId("user-name")).ToContainTextAsync(PortalFixture.AdminEmail);
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();
        // Sign-ins are noise on Home: shown only when asked for.
        var signedIn = Page.GetByTestId("activity-feed").GetByText($"{PortalFixture.AdminEmail} signed in").First;
        await Assertions.Expect(Page.GetByTestId("activity-feed")).ToContainTextAsync("Show all");
        await Assertions.Expect(signedIn).Not.ToBeVisibleAsync();
        await Page.GetByTestId("activity-feed").GetByText("Show all", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(signedIn).ToBeVisibleAsync();

        await Page.GetByTestId("user-name").ClickAsync();
        await Page.GetByTestId("sign-out").ClickAsync();
        // The address, not the load event: once a loaded run timed out on "load" with the login page's address reached.
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"), new() { Timeout = 30_000 });
        await Page.GotoAsync("/");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task WrongPassword_ShowsError_StaysOnLogin()
    {
        await Page.GotoAsync("/account/login");
        await Page.FillAsync("#email", PortalFixture.AdminEmail);
        await Page.FillAsync("#password", "not-the-password");
        await Page.ClickAsync("[data-testid=sign-in]");

        await Assertions.Expect(Page.GetByTestId("login-error")).ToContainTextAsync("Wrong email or password");
    }

    [Fact]
    public async Task Viewer_IsRefused_OnAdminPagesAndHangfire()
    {
        await Portal.CreateUserAsync("viewer@e2e.test", "Viewer-password-1", Roles.Viewer);
        await SignInAsync("viewer@e2e.test", "Viewer-password-1");

        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);

        await Page.GotoAsync("/admin/users");
        await Assertions.Expect(Page.GetByTestId("access-denied")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("user-table")).ToHaveCountAsync(0);

        var hangfire = await Page.GotoAsync("/hangfire");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/access-denied"));
        Assert.DoesNotContain("OpsPortal jobs", await hangfire!.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_OpensHangfireDashboard()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync("/hangfire");

        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("OpsPortal jobs");
    }

    [Fact]
    public async Task ApiReference_LoadsFromThePortalAlone()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync("/api/docs");

        await Assertions.Expect(Page.Locator("body")).ToContainTextAsync("/api/logs/saved-searches", new() { Timeout = 30_000 });
        // The base class fails the test on a CSP violation or a request to any other host (fonts, CDN, telemetry).
    }

    [Fact]
    public async Task UnknownAddress_ShowsNotFoundInTheShell_WithAWayHome()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        var response = await Page.GotoAsync("/no-such/page");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(Page.GetByTestId("not-found")).ToHaveTextAsync("Page not found");
        await Assertions.Expect(Page.GetByTestId("user-name")).ToContainTextAsync(PortalFixture.AdminEmail);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Go home" }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("activity-feed")).ToBeVisibleAsync();
    }
}
