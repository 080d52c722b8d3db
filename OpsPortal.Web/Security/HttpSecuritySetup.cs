using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace OpsPortal.Web.Security;

/// <summary>
/// The HTTP-level defences, in one place: forwarded headers from configured proxies only, HTTPS
/// and HSTS when the public address is https, security headers on every response, the cross-site
/// request guard, and a generic answer for unexpected failures. Each is explained in docs/security.md.
/// </summary>
public static class HttpSecuritySetup
{
    public static IServiceCollection AddOpsHttpSecurity(this IServiceCollection services)
    {
        services.AddOptions<HttpSecurityOptions>().BindConfiguration(HttpSecurityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpSecurityOptions>, HttpSecurityOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HttpSecurityOptions>>((o, http) =>
        {
            // X-Forwarded-Host is never believed: links and redirects do not depend on the Host header anyway.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = null;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in http.Value.Proxies)
            {
                o.KnownProxies.Add(proxy);
            }
            foreach (var network in http.Value.Networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CrossSiteRequestGuard.HeaderName;
            o.Cookie.Name = "opsportal.antiforgery";
        });
        services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IOptions<HttpSecurityOptions>>((o, http) =>
        {
            if (http.Value.RequireHttps)
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            }
        });
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
            .Configure<IOptions<HttpSecurityOptions>>((o, http) =>
            {
                if (http.Value.RequireHttps)
                {
                    o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                }
            });
        services.AddExceptionHandler<FaultHandler>();
        // Outbound requests: HttpClient's default logging writes each URL at Information level, and the
        // portal's outbound URLs (deploy and notification webhooks) are secrets. No client logs them,
        // including ones added later; each feature logs its own failures without the URL.
        services.ConfigureHttpClientDefaults(b => b.RemoveAllLoggers());
        return services;
    }

    public static WebApplication UseOpsHttpSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<HttpSecurityOptions>>().Value;
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        if (options.PublicUri is { Scheme: "https" } publicUri)
        {
            // Load balancers probe /health over plain HTTP inside the network.
            app.Use((http, next) => http.Request.IsHttps || http.Request.Path.StartsWithSegments("/health")
                ? next(http)
                : RedirectToHttps(http, publicUri));
        }
        // On HTTPS requests only (as the proxy reports them), and never for localhost.
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        return app;
    }

    // To the configured address, never to the request's Host header.
    private static Task RedirectToHttps(HttpContext http, Uri publicUri)
    {
        var target = new Uri(publicUri, http.Request.PathBase + http.Request.Path + http.Request.QueryString);
        http.Response.Redirect(target.AbsoluteUri, permanent: true, preserveMethod: true);
        return Task.CompletedTask;
    }
}
