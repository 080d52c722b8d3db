using System.Net;
using System.Text.RegularExpressions;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// A browser without a browser: signs in through the real form (antiforgery token and all), keeps
/// its cookies by hand so a test can copy them into a second client (a "stolen" cookie), and
/// sends requests the way a page would.
/// </summary>
public sealed partial class CookieSession(OpsPortalFactory factory) : IDisposable
{
    private readonly HttpClient _client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>A Host header to send instead of the test server's.</summary>
    public string? Host { get; set; }

    /// <summary>Posts the sign-in form; returns the response (302 on success, 200 with the error, 429 when throttled).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string email, string password, string? returnUrl = null)
    {
        var page = await SendAsync(HttpMethod.Get, "/account/login");
        var html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = Token(html),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        };
        var url = returnUrl is null ? "/account/login" : "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl);
        return await SendAsync(HttpMethod.Post, url, new FormUrlEncodedContent(form));
    }

    /// <summary>The antiforgery token a page rendered for this session (the sign-out form, the meta tag).</summary>
    public async Task<string> PageTokenAsync(string path = "/")
    {
        var response = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Token(await response.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> SignOutAsync() =>
        await SendAsync(HttpMethod.Post, "/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = await PageTokenAsync() }));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = Host;
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await _client.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';', 2)[0].Split('=', 2);
            if (pair[1].Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                Cookies.Remove(pair[0]);
            }
            else
            {
                Cookies[pair[0]] = pair[1];
            }
        }
        return response;
    }

    /// <summary>A second session holding a copy of this one's cookies.</summary>
    public CookieSession Copy()
    {
        var copy = new CookieSession(factory);
        foreach (var (name, value) in Cookies)
        {
            copy.Cookies[name] = value;
        }
        return copy;
    }

    public void Dispose() => _client.Dispose();

    private static string Token(string html) =>
        TokenPattern().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[m.Groups[1].Success ? 1 : 2].Value)
            : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"|<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
