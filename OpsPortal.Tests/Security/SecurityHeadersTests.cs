using System.Net;
using System.Text.RegularExpressions;

namespace OpsPortal.Tests.Security;

/// <summary>Headers on every answer, and a Content Security Policy that allows no inline script but the nonce'd import map.</summary>
public sealed partial class SecurityHeadersTests : SecurityTestBase
{
    [Theory]
    [InlineData("/account/login")]
    [InlineData("/api/me")]
    [InlineData("/favicon.svg")]
    [InlineData("/no-such-page")]
    [InlineData("/health")]
    [InlineData("/tickets")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        var csp = Header(response, "Content-Security-Policy");
        foreach (var directive in new[] { "default-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
            "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'" })
        {
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        }
        Assert.Matches(@"script-src 'self' 'nonce-[A-Za-z0-9_-]{22}';", csp);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("https:", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_EveryInlineScriptCarriesThisResponsesNonce()
    {
        using var browser = new CookieSession(Factory);
        await browser.SignInAsync(AdminEmail, AdminPassword);

        var response = await browser.SendAsync(HttpMethod.Get, "/");
        var html = await response.Content.ReadAsStringAsync();

        var nonce = NoncePattern().Match(Header(response, "Content-Security-Policy")).Groups[1].Value;
        var scripts = ScriptPattern().Matches(html);
        Assert.NotEmpty(scripts);
        foreach (Match script in scripts)
        {
            var tag = script.Groups[1].Value;
            Assert.True(tag.Contains("src=", StringComparison.Ordinal) || tag.Contains($"nonce=\"{nonce}\"", StringComparison.Ordinal),
                $"inline script without the nonce: <script{tag}>");
        }
        Assert.DoesNotContain(html.Split('<'), tag => OnHandler().IsMatch(tag));
    }

    [Fact]
    public async Task TwoResponses_NeverShareANonce()
    {
        using var client = Factory.CreateClient();

        var first = Header(await client.GetAsync("/account/login"), "Content-Security-Policy");
        var second = Header(await client.GetAsync("/account/login"), "Content-Security-Policy");

        Assert.NotEqual(NoncePattern().Match(first).Value, NoncePattern().Match(second).Value);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{name} missing on {response.RequestMessage?.RequestUri} ({(int)response.StatusCode})");

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NoncePattern();

    [GeneratedRegex("<script([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptPattern();

    // An inline event handler attribute (onclick=…) in the markup.
    [GeneratedRegex(@"^[a-z0-9-]+[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex OnHandler();
}
