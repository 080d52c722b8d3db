using System.Net;

namespace OpsPortal.Tests.Security;

/// <summary>The Host header is not reflected; a non-ASCII return address signs in without a 500.</summary>
public sealed class HostHeaderTests : SecurityTestBase
{
    [Theory]
    [InlineData("/tickets")]
    [InlineData("/admin/users")]
    public async Task Redirects_AreRelative_WhateverTheHostHeader(string path)
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "evil.example";

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("evil.example", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith("/account/login", response.Headers.Location.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/wiki/café", "/wiki/caf%C3%A9")]
    [InlineData("/wiki/caf%C3%A9", "/wiki/caf%C3%A9")]
    [InlineData("/logs?q=path:\"/ä ö\"", "/logs?q=path:%22/%C3%A4%20%C3%B6%22")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    public async Task SignIn_ReturnAddress_IsLocalAndEscaped_Never500(string returnUrl, string expected)
    {
        using var browser = new CookieSession(Factory);

        var response = await browser.SignInAsync(AdminEmail, AdminPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithAForeignHostHeader_RedirectsRelative()
    {
        using var browser = new CookieSession(Factory) { Host = "evil.example" };

        var response = await browser.SignInAsync(AdminEmail, AdminPassword);

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}

/// <summary>AllowedHosts, when set, refuses any other Host header outright.</summary>
public sealed class AllowedHostsTests : SecurityTestBase
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["AllowedHosts"] = "ops.example.com;localhost" };

    [Fact]
    public async Task ForeignHost_Gets400()
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Host = "evil.example";

        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
    }
}
