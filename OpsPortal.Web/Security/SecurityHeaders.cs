using System.Security.Cryptography;
using Scalar.AspNetCore;

namespace OpsPortal.Web.Security;

/// <summary>
/// The response headers every answer carries (pages, API, files, errors). The Content Security
/// Policy is what the app really works under: scripts only from the portal itself plus the one
/// inline import map, which carries this response's nonce; styles allow 'unsafe-inline' because
/// MudBlazor writes style attributes and its theme as a style element, and Blazor's reconnect
/// dialog injects one (markdown can write no style: the sanitiser allows none). Images, fonts and
/// connections go to the portal only (the live connection is a same-origin WebSocket), so no page
/// makes a request to another host. docs/security.md lists each directive and why.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "opsportal.csp-nonce";

    /// <summary>The nonce an inline script of this response must carry (App.razor's import map).</summary>
    public static string Nonce(HttpContext http) =>
        http.Items[NonceKey] as string ?? throw new InvalidOperationException("SecurityHeaders middleware is not in the pipeline.");

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        // base64url: no '+', '/' or '=' for an HTML attribute encoder to escape (CSP accepts '-' and '_').
        var nonce = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = Policy(nonce, http.Items[ScalarOptions.NonceHttpContextItemKey] as string);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), " +
                "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            RelativeLocation(http);
            return Task.CompletedTask;
        });
        await next(http);
    });

    /// <summary>
    /// Redirects within the portal go out relative: Blazor and the auth handlers build absolute
    /// URIs from the request's Host header, and a redirect must never repeat that header.
    /// </summary>
    private static void RelativeLocation(HttpContext http)
    {
        var location = http.Response.Headers.Location.ToString();
        if (location.Length > 0 && Uri.TryCreate(location, UriKind.Absolute, out var target)
            && string.Equals(target.Scheme, http.Request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(target.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.Location = target.PathAndQuery + target.Fragment;
        }
    }

    internal static string Policy(string nonce, string? scalarNonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'{(scalarNonce is null ? "" : $" 'nonce-{scalarNonce}'")}; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "media-src 'self'; " +
        "object-src 'none'; " +
        "frame-src 'none'; " +
        "frame-ancestors 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'";
}
