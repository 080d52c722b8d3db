using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Auth;

public sealed record TokenRequest(string? Email, string? Password, string? Name);
public sealed record TokenResponse(long Id, string Name, string Token);
public sealed record TokenSummary(long Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    internal static TokenSummary From(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt);
}
public sealed record MeResponse(string Email, IReadOnlyList<string> Roles);
public sealed record CreateUserRequest(string Email, string Password, string Role);
public sealed record UserResponse(string Id, string Email, string Role);
public sealed record UserListItem(string Id, string Email, string Role, bool Disabled, DateTimeOffset? LockedUntil);

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Auth");
        api.MapPost("/auth/tokens", CreateTokenAsync).AllowAnonymous()
            .WithSummary("Exchange email and password for a personal API token (shown once). 401 for any wrong credential, 429 with Retry-After when throttled.");
        api.MapGet("/auth/tokens", ListOwnTokensAsync).WithSummary("Your API tokens (never their secrets).");
        api.MapDelete("/auth/tokens/{id:long}", RevokeTokenAsync)
            .WithSummary("Revoke one of your own tokens.");
        api.MapGet("/me", Me).WithSummary("Who the caller is.");
        api.MapGet("/users", ListUsersAsync).RequireAuthorization(AuthSetup.AdminPolicy).WithSummary("Every user (Admin).");
        api.MapPost("/users", CreateUserAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Create a user (Admin).");
        api.MapGet("/users/{userId}/tokens", ListUserTokensAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("A user's API tokens (Admin).");
        api.MapDelete("/users/{userId}/tokens/{id:long}", RevokeUserTokenAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Revoke any user's token (Admin).");

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
        TokenRequest request, HttpContext http, SignInService signIn, ApiTokenService tokens, CancellationToken ct)
    {
        var name = string.IsNullOrWhiteSpace(request.Name) ? "api" : request.Name.Trim();
        // Checked before the password, so a bad name never costs an attempt.
        if (ApiTokenService.NameProblem(name) is { } problem)
        {
            return Refusal.Invalid(problem, "Invalid token request").ToProblem();
        }
        var check = await signIn.CheckPasswordAsync(request.Email, request.Password, http.Connection.RemoteIpAddress?.ToString(),
            SignInChannel.Api, ct);
        if (!check.TryGet(out var user, out var refusal))
        {
            return refusal.ToProblem(http.Response);
        }
        return (await tokens.CreateAsync(user.Id, user.Email!, name, ct))
            .ToHttp(created => TypedResults.Created($"/api/auth/tokens/{created.Token.Id}",
                new TokenResponse(created.Token.Id, created.Token.Name, created.Secret)));
    }

    private static async Task<Ok<List<TokenSummary>>> ListOwnTokensAsync(ClaimsPrincipal user, UserManager<AppUser> users,
        ApiTokenService tokens, CancellationToken ct) =>
        TypedResults.Ok((await tokens.ListAsync(users.GetUserId(user)!, ct)).Select(TokenSummary.From).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(long id, ClaimsPrincipal user,
        UserManager<AppUser> users, ApiTokenService tokens, CancellationToken ct) =>
        (await tokens.RevokeAsync(id, users.GetUserId(user)!, user.ToActor().Name, ct)).ToHttp(TypedResults.NoContent);

    private static async Task<Ok<List<UserListItem>>> ListUsersAsync(UserAdminService admin, CancellationToken ct) =>
        TypedResults.Ok((await admin.ListAsync(ct))
            .Select(u => new UserListItem(u.Id, u.Email, u.Role, u.IsDisabled, u.LockoutEnd)).ToList());

    private static async Task<Ok<List<TokenSummary>>> ListUserTokensAsync(string userId, ApiTokenService tokens, CancellationToken ct) =>
        TypedResults.Ok((await tokens.ListAsync(userId, ct)).Select(TokenSummary.From).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeUserTokenAsync(string userId, long id, ClaimsPrincipal caller,
        ApiTokenService tokens, CancellationToken ct) =>
        (await tokens.RevokeAsync(id, userId, caller.ToActor().Name, ct)).ToHttp(TypedResults.NoContent);

    private static MeResponse Me(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList());

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateUserAsync(
        CreateUserRequest request, ClaimsPrincipal caller, UserAdminService admin, CancellationToken ct) =>
        (await admin.CreateAsync(caller.ToActor(), request.Email ?? "", request.Password ?? "", request.Role ?? "", ct))
            .ToHttp(id => TypedResults.Created($"/api/users/{id}", new UserResponse(id, request.Email!.Trim(), request.Role!)));
}
