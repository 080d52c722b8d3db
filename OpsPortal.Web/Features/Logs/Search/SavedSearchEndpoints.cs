using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Logs.Search;

public sealed record SavedSearchRequest(string? Name, string? Query, string? Range, bool Personal);
public sealed record SavedSearchResponse(int Id, string Name, string Query, string Range, bool Personal, string CreatedBy)
{
    internal static SavedSearchResponse From(SavedSearch s) => new(s.Id, s.Name, s.Query, s.Range, s.Owner is not null, s.CreatedBy);
}

/// <summary>
/// <c>/api/logs/saved-searches</c>: the team's searches and the caller's own. Anyone signed in saves
/// personal ones; team ones need Engineer, and a team search someone else saved is never replaced (409).
/// </summary>
public static class SavedSearchEndpoints
{
    public static IEndpointRouteBuilder MapSavedSearches(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/logs/saved-searches").RequireAuthorization().WithTags("Logs");
        group.MapGet("", ListAsync).WithSummary("The team's saved searches, then yours.");
        group.MapPost("", SaveAsync)
            .WithSummary("Save a search for the team (Engineer) or for yourself (personal=true); your own search of that name is replaced, anyone else's is a 409.");
        group.MapDelete("/{id:int}", DeleteAsync).WithSummary("Delete your own search, or a team search you saved (Admins: any team search).");
        return app;
    }

    private static async Task<Ok<List<SavedSearchResponse>>> ListAsync(ClaimsPrincipal user, SavedSearchService saved, CancellationToken ct) =>
        TypedResults.Ok((await saved.ListAsync(user.ToActor().Name, ct)).Select(SavedSearchResponse.From).ToList());

    private static async Task<Results<Ok<SavedSearchResponse>, ProblemHttpResult>> SaveAsync(SavedSearchRequest body, ClaimsPrincipal user,
        SavedSearchService saved, CancellationToken ct) =>
        (await saved.SaveAsync(user.ToActor(), body.Name ?? "", body.Query ?? "", body.Range ?? "1h", body.Personal, ct))
            .ToHttp(s => TypedResults.Ok(SavedSearchResponse.From(s)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(int id, ClaimsPrincipal user, SavedSearchService saved,
        CancellationToken ct) =>
        (await saved.DeleteAsync(user.ToActor(), id, ct)).ToHttp(TypedResults.NoContent);
}
