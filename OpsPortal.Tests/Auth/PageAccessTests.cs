using System.Net;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class PageAccessTests : ApiTestBase
{
    [Theory]
    [InlineData("/")]
    [InlineData("/admin/users")]
    [InlineData("/account/tokens")]
    [InlineData("/hangfire")]
    public async Task Page_Anonymous_RedirectsToLogin(string path)
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Relative: a redirect never repeats the request's Host header.
        Assert.StartsWith("/account/login?ReturnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/hangfire")]
    public async Task AdminPage_Viewer_IsForbidden(string path)
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        var response = await viewer.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("/admin/users", "Users")]
    [InlineData("/hangfire", "OpsPortal jobs")]
    public async Task AdminPage_Admin_Opens(string path, string expected)
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_Anonymous_IsHealthyWithDatabase()
    {
        using var client = Factory.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("up", health.GetProperty("database").GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("status").GetString(), new[] { "Healthy", "Degraded" });
        // Anonymous probes learn each loop's state, never its error text.
        Assert.All(health.GetProperty("loops").EnumerateArray(), l => Assert.Equal(System.Text.Json.JsonValueKind.Null, l.GetProperty("error").ValueKind));
    }

    [Fact]
    public async Task LoginPage_Anonymous_RendersForm()
    {
        using var client = Factory.CreateClient();

        var html = await client.GetStringAsync("/account/login");

        Assert.Contains("name=\"Input.Email\"", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_SignedIn_DescribesTheApi()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var json = await admin.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/auth/tokens", json, StringComparison.Ordinal);
        Assert.Contains("/api/me", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_IsRejected()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task UnknownPage_SignedIn_ShowsNotFoundPageInTheShell()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.SendAsync(BrowserGet("/no-such/page"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"not-found\"", html, StringComparison.Ordinal);
        Assert.Contains("Page not found", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPage_Anonymous_SignsInFirst()
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.SendAsync(BrowserGet("/no-such/page"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login?ReturnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiAddress_SignedIn_StaysProblemDetails()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.SendAsync(BrowserGet("/api/no-such-thing"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static HttpRequestMessage BrowserGet(string path) =>
        new(HttpMethod.Get, path) { Headers = { { "Accept", "text/html,application/xhtml+xml,*/*;q=0.8" } } };
}
