using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Behind a TLS proxy: forwarded headers count only from configured proxies; with an https public
/// address plain HTTP is redirected there (never to the Host header), HSTS is sent and cookies are
/// Secure; the sign-in throttle counts the client behind the proxy.
/// </summary>
public sealed class ProxyTests : SecurityTestBase
{
    private const string Proxy = "10.0.0.5";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Http:KnownProxies"] = Proxy,
        ["OpsPortal:Http:PublicUrl"] = "https://ops.example.com",
        ["OpsPortal:Auth:SignInsPerAddressPerMinute"] = "2",
    };

    private Task<HttpContext> SendAsync(string from, string method, string path, string host, params (string Name, string Value)[] headers) =>
        Factory.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = IPAddress.Parse(from);
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Host = new HostString(host);
            foreach (var (name, value) in headers)
            {
                c.Request.Headers[name] = value;
            }
        });

    [Fact]
    public async Task TlsAtTheProxy_HstsAndSecureCookies()
    {
        var response = (await SendAsync(Proxy, "GET", "/account/login", "ops.example.com", ("X-Forwarded-Proto", "https"))).Response;

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("max-age=", response.Headers.StrictTransportSecurity.ToString(), StringComparison.Ordinal);
        var cookie = Assert.Single(response.Headers.SetCookie, c => c!.StartsWith("opsportal.antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var signInCookie = Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme).Cookie;
        Assert.Equal(CookieSecurePolicy.Always, signInCookie.SecurePolicy);
    }

    [Fact]
    public async Task PlainHttp_IsRedirectedToThePublicAddress_NotToTheHostHeader()
    {
        var response = (await SendAsync(Proxy, "GET", "/tickets", "evil.example", ("X-Forwarded-Proto", "http"))).Response;

        Assert.Equal(308, response.StatusCode);
        Assert.Equal("https://ops.example.com/tickets", response.Headers.Location.ToString());
    }

    [Fact]
    public async Task ForwardedHeaders_FromAnUnknownAddress_AreIgnored()
    {
        // Claims https through a header anyone can send: still plain HTTP, so redirected, no HSTS.
        var response = (await SendAsync("10.0.0.9", "GET", "/account/login", "ops.example.com", ("X-Forwarded-Proto", "https"))).Response;

        Assert.Equal(308, response.StatusCode);
        Assert.Empty(response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public async Task SignInThrottle_CountsTheClientBehindTheProxy_NotTheProxy()
    {
        async Task<int> AttemptAsync(string client, string forwardedFrom) => (await Factory.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = IPAddress.Parse(client);
            c.Request.Method = "POST";
            c.Request.Path = "/api/auth/tokens";
            c.Request.Host = new HostString("ops.example.com");
            c.Request.Headers["X-Forwarded-For"] = forwardedFrom;
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            c.Request.ContentType = "application/json";
            var body = Encoding.UTF8.GetBytes("{\"email\":\"x@test.local\",\"password\":\"guess\",\"name\":\"t\"}");
            c.Request.ContentLength = body.Length;
            c.Request.Body = new MemoryStream(body);
            c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new HasBody());
        })).Response.StatusCode;

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add(await AttemptAsync(Proxy, "203.0.113.9"));
        }
        Assert.Equal([401, 401, 429], statuses);
        Assert.Equal(401, await AttemptAsync(Proxy, "203.0.113.10"));
    }
}

internal sealed class HasBody : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
{
    public bool CanHaveBody => true;
}
