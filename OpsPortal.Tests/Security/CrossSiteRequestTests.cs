using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Web.Security;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Same-site request forgery: a page on another port of the same host rides on the SameSite=Lax
/// cookie. API writes with the cookie need the page's antiforgery header; the live connection
/// accepts only the portal's own origin. Bearer tokens and the portal's own pages keep working.
/// </summary>
public sealed class CrossSiteRequestTests : SecurityTestBase
{
    private const string OtherOrigin = "http://localhost:6121";

    public static TheoryData<string, string, string> Writes => new()
    {
        { "/api/incidents/1/acknowledge", "application/x-www-form-urlencoded", "x=1" },
        { "/api/wiki/runbook/revisions/1/restore", "application/x-www-form-urlencoded", "x=1" },
        { "/api/deploys/1/cancel", "application/x-www-form-urlencoded", "" },
        { "/api/logs?format=combined&host=csrf", "text/plain", "10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /stolen HTTP/1.1\" 200 1 \"-\" \"-\"\n" },
        { "/api/tickets", "text/plain", "{\"title\":\"forged\",\"type\":\"task\",\"priority\":\"P3\"}" },
        { "/api/logs/saved-searches", "text/plain", "{\"name\":\"forged\",\"query\":\"\",\"range\":\"1h\"}" },
    };

    private async Task<CookieSession> SignedInAdminAsync()
    {
        var browser = new CookieSession(Factory);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(AdminEmail, AdminPassword)).StatusCode);
        return browser;
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task CookieWrite_FromAnotherOrigin_IsRefusedAndStoresNothing(string path, string contentType, string body)
    {
        using var browser = await SignedInAdminAsync();
        var before = await CountEventsAsync("ticket.created") + await LogLinesAsync();

        var response = await browser.SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, contentType),
            new Dictionary<string, string> { ["Origin"] = OtherOrigin, ["Referer"] = OtherOrigin + "/evil.html" });

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal(before, await CountEventsAsync("ticket.created") + await LogLinesAsync());
    }

    [Fact]
    public async Task CookieWrite_WithThePagesToken_IsAccepted()
    {
        using var browser = await SignedInAdminAsync();
        var token = await browser.PageTokenAsync("/logs");

        var response = await browser.SendAsync(HttpMethod.Post, "/api/logs?format=combined&host=page",
            new StringContent("10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n", Encoding.UTF8, "text/plain"),
            new Dictionary<string, string> { [CrossSiteRequestGuard.HeaderName] = token });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CookieWrite_WithAnotherUsersToken_IsRefused()
    {
        await CreateUserAsync(EngineerEmail, Password, Core.Auth.Roles.Engineer);
        using var engineer = new CookieSession(Factory);
        await engineer.SignInAsync(EngineerEmail, Password);
        var foreignToken = await engineer.PageTokenAsync();
        using var admin = await SignedInAdminAsync();

        var response = await admin.SendAsync(HttpMethod.Post, "/api/logs/saved-searches",
            new StringContent("{\"name\":\"x\",\"query\":\"\",\"range\":\"1h\"}", Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { [CrossSiteRequestGuard.HeaderName] = foreignToken });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task BearerWrite_NeedsNoAntiforgeryToken()
    {
        using var api = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await api.PostAsync("/api/logs?format=combined&host=script",
            new StringContent("10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task LiveConnection_FromAnotherOrigin_IsRefused_FromItsOwn_Accepted()
    {
        using var browser = await SignedInAdminAsync();
        var cookie = string.Join("; ", browser.Cookies.Select(c => $"{c.Key}={c.Value}"));

        var foreign = Factory.Server.CreateWebSocketClient();
        foreign.ConfigureRequest = r => (r.Headers.Origin, r.Headers.Cookie) = (OtherOrigin, cookie);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => foreign.ConnectAsync(new Uri(Factory.Server.BaseAddress, "_blazor"), CancellationToken.None));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        var own = Factory.Server.CreateWebSocketClient();
        own.ConfigureRequest = r => (r.Headers.Origin, r.Headers.Cookie) = ("http://localhost", cookie);
        using var socket = await own.ConnectAsync(new Uri(Factory.Server.BaseAddress, "_blazor"), CancellationToken.None);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);
    }

    private async Task<long> LogLinesAsync()
    {
        await using var db = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        return await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM access").SingleAsync();
    }
}
