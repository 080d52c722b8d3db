using System.Net;
using System.Net.Http.Json;

namespace OpsPortal.Tests.Security;

/// <summary>Floods get 429 with Retry-After, per client address and per account, on the API and the form alike.</summary>
public sealed class SignInThrottleTests : SecurityTestBase
{
    // Slow refills (one attempt per 20 s / 30 s) so the limits bite within a test however loaded the machine.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Auth:SignInsPerAddressPerMinute"] = "3",
        ["OpsPortal:Auth:SignInsPerAccountPerMinute"] = "2",
    };

    [Fact]
    public async Task CreateToken_OverTheAccountLimit_Returns429WithRetryAfter()
    {
        using var client = Factory.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostTokenAsync(client, "nobody@test.local", "guess")).StatusCode);
        }

        var response = await PostTokenAsync(client, "NoBody@test.local", "guess");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("Too many attempts", (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Title);
    }

    [Fact]
    public async Task CreateToken_OverTheAddressLimit_Returns429WhateverTheAccount()
    {
        using var client = Factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostTokenAsync(client, $"user{i}@test.local", "guess")).StatusCode);
        }

        var response = await PostTokenAsync(client, AdminEmail, AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task LoginForm_OverTheLimit_Returns429WithRetryAfterAndSaysWhy()
    {
        using var browser = new CookieSession(Factory);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.SignInAsync(AdminEmail, "guess")).StatusCode);
        }

        var response = await browser.SignInAsync(AdminEmail, "guess");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("Too many sign-in attempts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
