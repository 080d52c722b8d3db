using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Auth;

public sealed record TokenRequest(string Email, string Password, string Name);
public sealed record TokenResponse(long Id, string Name, string Token);
public sealed record MeResponse(string Email, IReadOnlyList<string> Roles);
public sealed record CreateUserRequest(string Email, string Password, string Role);
public sealed record UserResponse(string Id, string Email, string Role);

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Auth");
        api.MapPost("/auth/tokens", CreateTokenAsync).AllowAnonymous()
            .WithSummary("Exchange email and password for a personal API token (shown once).");
        api.MapDelete("/auth/tokens/{id:long}", RevokeTokenAsync)
            .WithSummary("Revoke one of your own tokens.");
        api.MapGet("/me", Me).WithSummary("Who the caller is.");
        api.MapPost("/users", CreateUserAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Create a user (Admin).");

        app.MapPost("/account/logout", async Task<IResult> (HttpContext http, IAntiforgery antiforgery, SignInManager<AppUser> signIn) =>
        {
            // No form field is bound, so nothing checks the token unless this endpoint does.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid form",
                    detail: "The sign-out form expired; reload the page and try again.");
            }
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        })
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> CreateTokenAsync(
        TokenRequest request, UserManager<AppUser> users, SignInManager<AppUser> signIn, ApiTokenService tokens,
        CancellationToken ct)
    {
        var unauthorized = TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
            title: "Sign-in failed", detail: "Wrong email or password, or the account is disabled.");
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return unauthorized;
        }
        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            return unauthorized;
        }
        var check = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (check.IsLockedOut)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Locked out",
                detail: "Too many failed sign-ins; try again later or ask an admin to reset the password.");
        }
        if (!check.Succeeded)
        {
            return unauthorized;
        }
        return (await tokens.CreateAsync(user.Id, user.Email!, string.IsNullOrWhiteSpace(request.Name) ? "api" : request.Name, ct))
            .ToHttp(created => TypedResults.Created($"/api/auth/tokens/{created.Token.Id}",
                new TokenResponse(created.Token.Id, created.Token.Name, created.Secret)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(long id, ClaimsPrincipal user,
        UserManager<AppUser> users, ApiTokenService tokens, CancellationToken ct) =>
        (await tokens.RevokeAsync(id, users.GetUserId(user)!, user.ToActor().Name, ct)).ToHttp(TypedResults.NoContent);

    private static MeResponse Me(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList());

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateUserAsync(
        CreateUserRequest request, ClaimsPrincipal caller, UserAdminService admin, CancellationToken ct) =>
        (await admin.CreateAsync(caller.ToActor(), request.Email ?? "", request.Password ?? "", request.Role ?? "", ct))
            .ToHttp(id => TypedResults.Created($"/api/users/{id}", new UserResponse(id, request.Email!.Trim(), request.Role!)));

    /// <summary>Records a browser sign-in on the spine (the API token path records token creation instead).</summary>
    internal static async Task RecordSignInAsync(OpsDbContext db, EventLog events, AppUser user)
    {
        events.Append(db, user.Email!, AuthEventKinds.UserSignedIn, AuthEventKinds.UserSubjectType, user.Id, $"{user.Email} signed in");
        await db.SaveChangesAsync();
    }
}
