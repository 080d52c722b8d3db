using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core.Tickets;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Tickets;

public sealed record TicketFilterRequest(string? Name, string? Query, bool Personal);

/// <summary>
/// <c>/api/tickets/filters</c>: built-in, team and the caller's own list filters. Anyone signed in saves
/// personal ones; team ones need Engineer, and a team filter someone else saved is never replaced (409).
/// </summary>
public static class TicketFilterEndpoints
{
    public static IEndpointRouteBuilder MapTicketFilters(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tickets/filters").RequireAuthorization().WithTags("Tickets");
        group.MapGet("", ListAsync).WithSummary("Built-in filters, the team's, then yours; 'query' is the list's query string.");
        group.MapPost("", SaveAsync)
            .WithSummary("Save a filter for the team (Engineer) or for yourself (personal=true); your own filter of that name is replaced, anyone else's is a 409.");
        group.MapDelete("/{id:int}", DeleteAsync).WithSummary("Delete your own filter, or a team filter you saved (Admins: any team filter).");
        return app;
    }

    private static async Task<Ok<List<SavedTicketFilter>>> ListAsync(ClaimsPrincipal user, TicketFilterService filters, CancellationToken ct) =>
        TypedResults.Ok(await filters.ListAsync(user.ToActor().Name, ct));

    private static async Task<Results<Ok<SavedTicketFilter>, ProblemHttpResult>> SaveAsync(TicketFilterRequest body, ClaimsPrincipal user,
        TicketFilterService filters, CancellationToken ct) =>
        (await filters.SaveAsync(user.ToActor(), body.Name ?? "", body.Query ?? "", body.Personal, ct)).ToHttp(TypedResults.Ok);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(int id, ClaimsPrincipal user, TicketFilterService filters,
        CancellationToken ct) =>
        (await filters.DeleteAsync(user.ToActor(), id, ct)).ToHttp(TypedResults.NoContent);
}
