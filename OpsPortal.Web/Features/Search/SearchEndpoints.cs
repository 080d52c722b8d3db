using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Search;

/// <summary>The one search across the portal (docs/using.md, "Search"): what the app-bar box shows, as JSON.</summary>
public static class SearchEndpoints
{
    public static IEndpointRouteBuilder MapPortalSearch(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/search").RequireAuthorization().WithTags("Search")
            .MapGet("", SearchAsync)
            .WithSummary("Tickets, wiki pages, incidents, deploys and services matching q (up to `limit` of each, default 5), grouped by kind.");
        return app;
    }

    private static async Task<Results<Ok<List<SearchGroup>>, ProblemHttpResult>> SearchAsync(
        string? q, int? limit, ClaimsPrincipal user, PortalSearch search, CancellationToken ct) =>
        (await search.SearchAsync(q, user.ToActor(), limit ?? 5, ct)).ToHttp(TypedResults.Ok);
}
