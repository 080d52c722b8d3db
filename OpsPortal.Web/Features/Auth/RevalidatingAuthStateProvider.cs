using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;

namespace OpsPortal.Web.Features.Auth;

/// <summary>
/// An open Blazor circuit keeps the identity it started with; this re-checks it every minute, so a
/// disabled user, a changed role or a revoked session (signed out elsewhere, password reset) is shut
/// out of live pages too, not only of new requests.
/// </summary>
internal sealed class RevalidatingAuthStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    UserSessions sessions,
    IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        if (OpsSignInManager.SessionOf(state.User) is not { } session
            || state.User.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId
            || !await sessions.IsLiveAsync(session, userId, cancellationToken))
        {
            return false;
        }
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || user.IsDisabled)
        {
            return false;
        }
        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }
        var stamp = state.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
