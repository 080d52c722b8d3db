using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.E2E;

/// <summary>
/// The attack of issue 13 in a real browser: a signed-in user opens a page served from another
/// port of the same host (same site, so the SameSite=Lax cookie rides along) that posts a form and
/// fires a text/plain fetch at the portal's API. Nothing may be written.
/// </summary>
public sealed class CrossSiteTests(PortalFixture portal) : BrowserTest(portal)
{
    [Fact]
    public async Task PageOnAnotherPort_PostsFormAndFetch_PortalWritesNothing()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        using var evil = new EvilSite(Portal.BaseUrl);

        var formResponse = Page.WaitForResponseAsync(r => r.Url.Contains("/api/logs?", StringComparison.Ordinal));
        await Page.GotoAsync(evil.Url);
        // The page submits its form once the fetch has been answered, so both requests reached the portal.
        var answer = await formResponse;

        Assert.Equal(403, answer.Status);
        await Page.WaitForURLAsync("**/api/logs?**");
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.False(await db.SavedSearches.AnyAsync(s => s.Name == "forged"));
        Assert.Equal(0, await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM access WHERE path = '/forged'").SingleAsync());
        // The hostile page is the one outside host this test visits on purpose.
        ExternalRequests.Clear();
    }

    /// <summary>A second origin: one HTML page on a free port of the same host.</summary>
    private sealed class EvilSite : IDisposable
    {
        private readonly HttpListener _listener = new();

        public EvilSite(string portal)
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            var html = $$"""
                <!doctype html><title>loading</title>
                <form id="f" method="POST" enctype="text/plain" action="{{portal}}/api/logs?format=combined&host=forged">
                  <input name='10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /forged HTTP/1.1" 200 1 "-" "-"&#10;x' value="">
                </form>
                <script>
                  fetch('{{portal}}/api/logs/saved-searches', { method: 'POST', credentials: 'include', mode: 'no-cors',
                    headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ name: 'forged', query: '', range: '1h' }) })
                    .finally(() => { document.title = 'fetch:sent'; document.getElementById('f').submit(); });
                </script>
                """;
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        var bytes = Encoding.UTF8.GetBytes(html);
                        context.Response.ContentType = "text/html; charset=utf-8";
                        await context.Response.OutputStream.WriteAsync(bytes);
                        context.Response.Close();
                    }
                    catch (Exception) when (!_listener.IsListening)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public void Dispose() => _listener.Close();

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
