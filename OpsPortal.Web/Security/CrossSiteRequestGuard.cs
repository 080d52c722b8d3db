using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using OpsPortal.Core;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Security;

/// <summary>
/// Same-site request forgery. A page on another port of the same host is same-site, so the
/// SameSite=Lax sign-in cookie rides along on its form posts. Two rules close that:
/// <list type="bullet">
/// <item>An <c>/api</c> write that authenticates with the cookie must carry the antiforgery token
/// in the <see cref="HeaderName"/> header (the portal's own pages put it in a meta tag that
/// wiki.js sends); scripts use bearer tokens, which no other page can attach.</item>
/// <item>The live connection (a WebSocket, which no CORS rule protects) must come from the portal's
/// own origin: the request's host, or <c>OpsPortal:Http:PublicUrl</c>.</item>
/// </list>
/// Forms of the portal's pages carry Blazor's antiforgery field as before.
/// </summary>
public static class CrossSiteRequestGuard
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public static IApplicationBuilder UseCrossSiteRequestGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.WebSockets.IsWebSocketRequest && !IsOwnOrigin(http))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        if (IsCookieApiWrite(http.Request)
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            await Refusal.Forbidden(
                    $"A write to the API with the sign-in cookie needs the {HeaderName} header of a portal page; scripts use 'Authorization: Bearer' with an API token.",
                    "Cross-site request refused")
                .ToProblem().ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    private static bool IsCookieApiWrite(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && request.Cookies.Keys.Any(k => k.StartsWith(Features.Auth.AuthSetup.CookieName, StringComparison.Ordinal));

    private static bool IsOwnOrigin(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true; // not a browser: no ambient-credential attack to stop
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }
        var publicUri = http.RequestServices.GetRequiredService<IOptions<HttpSecurityOptions>>().Value.PublicUri;
        return string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || (publicUri is not null && Uri.Compare(uri, publicUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0);
    }
}
