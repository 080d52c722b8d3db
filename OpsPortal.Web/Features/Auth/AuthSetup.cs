using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;

namespace OpsPortal.Web.Features.Auth;

public static class AuthSetup
{
    /// <summary>Chooses cookie or bearer per request, so every endpoint accepts both.</summary>
    public const string CookieOrBearer = "CookieOrBearer";

    /// <summary>The sign-in cookie's name (chunked cookies add C1, C2 …).</summary>
    public const string CookieName = "opsportal.auth";

    public const string AdminPolicy = "Admin";
    public const string EngineerPolicy = "Engineer";

    public static WebApplicationBuilder AddOpsAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOpsIdentityCore().AddSignInManager<OpsSignInManager>();

        // A disabled user or a changed role reaches open browsers within a minute.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            // The refreshed principal is rebuilt from the user; it must keep naming its session.
            o.OnRefreshingPrincipal = ctx =>
            {
                if (ctx.CurrentPrincipal?.FindFirst(UserSessions.ClaimType) is { } session
                    && ctx.NewPrincipal?.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == UserSessions.ClaimType))
                {
                    identity.AddClaim(new Claim(UserSessions.ClaimType, session.Value));
                }
                return Task.CompletedTask;
            };
        });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearer;
                o.DefaultChallengeScheme = CookieOrBearer;
            })
            .AddPolicyScheme(CookieOrBearer, "Cookie or bearer token", o =>
                o.ForwardDefaultSelector = ctx =>
                    ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? ApiTokenAuthenticationHandler.SchemeName
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/access-denied";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            // Scripts get status codes, not a login page.
            o.Events.OnRedirectToLogin = ctx => ApiAwareRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAwareRedirect(ctx, StatusCodes.Status403Forbidden);
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(EngineerPolicy, p => p.RequireRole(Roles.Engineer));

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthStateProvider>();
        services.AddScoped<ActingUser>();
        services.AddHttpContextAccessor();
        return builder;
    }

    /// <summary>
    /// Every request with a sign-in cookie: its session must still be live on the server (signed out,
    /// password reset and disabled users' sessions are revoked), then Identity's stamp check.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext ctx)
    {
        var userId = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<UserSessions>();
        if (userId is null || OpsSignInManager.SessionOf(ctx.Principal) is not { } session
            || !await sessions.IsLiveAsync(session, userId, ctx.HttpContext.RequestAborted))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(ctx);
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/openapi"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        // Absolute from the Host header; SecurityHeaders makes it relative on the way out.
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
