using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;

namespace OpsPortal.Web.Features.Auth;

/// <summary>
/// Identity's sign-in manager, plus two rules: a disabled user cannot sign in by any path, and every
/// sign-in cookie names a server-side <see cref="UserSession"/> that signing out revokes. Passwords
/// are checked by <see cref="SignInService"/>, not here.
/// </summary>
public sealed class OpsSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    UserSessions sessions)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<AppUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { IsDisabled: false } ? user : null;
    }

    public override async Task SignInWithClaimsAsync(AppUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var session = await sessions.StartAsync(user.Id, Context.Connection.RemoteIpAddress?.ToString(),
            Context.Request.Headers.UserAgent.ToString(), Context.RequestAborted);
        await base.SignInWithClaimsAsync(user, authenticationProperties,
            [.. additionalClaims, new Claim(UserSessions.ClaimType, session.ToString())]);
    }

    /// <summary>Revokes this browser's session on the server, so a copy of its cookie stops working too.</summary>
    public override async Task SignOutAsync()
    {
        if (SessionOf(Context.User) is { } session)
        {
            await sessions.RevokeAsync(session);
        }
        await base.SignOutAsync();
    }

    internal static Guid? SessionOf(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirstValue(UserSessions.ClaimType), out var id) ? id : null;
}
