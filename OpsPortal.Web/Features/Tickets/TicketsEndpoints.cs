using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Tickets;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Tickets;

/// <summary><c>/api/tickets</c>: everyone signed in reads; writes need Engineer (Viewers get 403).</summary>
public static class TicketsEndpoints
{
    public static IEndpointRouteBuilder MapTickets(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tickets").RequireAuthorization().WithTags("Tickets");
        group.MapGet("", ListAsync)
            .WithSummary("Tickets matching status, priority, type, assignee (email, @me, none), label, service, q; sort=updated|created|priority|due|key, dir=asc, page, size.");
        group.MapGet("/search", SearchAsync).WithSummary("Full-text search over titles, descriptions and comments, ranked, with snippets; a key finds its ticket.");
        group.MapGet("/{key}", GetAsync).WithSummary("One ticket with its comments, links and watchers; 'version' is the concurrency token for PATCH.");
        group.MapPost("", CreateAsync).RequireAuthorization(AuthSetup.EngineerPolicy).WithSummary("Create a ticket.");
        group.MapPatch("/{key}", PatchAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Change fields (title, description, type, priority, status, assignee, labels, service, dueDate); 'version' is required, 409 when stale.")
            .Accepts<JsonElement>("application/json");
        group.MapPost("/{key}/comments", CommentAsync).RequireAuthorization(AuthSetup.EngineerPolicy).WithSummary("Add a markdown comment.");
        return app;
    }

    private static async Task<Results<Ok<TicketListResponse>, ProblemHttpResult>> ListAsync(HttpContext http, ClaimsPrincipal user,
        TicketList list, CancellationToken ct)
    {
        if (!TicketQuery.Parse(http.Request.QueryString.Value).TryGet(out var query, out var refusal))
        {
            return refusal.ToProblem();
        }
        var page = await list.ListAsync(query, user.ToActor().Name, ct);
        return TypedResults.Ok(new TicketListResponse(page.Rows.Select(TicketSummaryResponse.From).ToList(), page.Total, page.Page, page.PageSize, page.Pages));
    }

    private static async Task<Results<Ok<List<TicketHit>>, ProblemHttpResult>> SearchAsync(string? q, TicketSearch search, CancellationToken ct) =>
        (await search.SearchAsync(q ?? "", 20, ct)).ToHttp(TypedResults.Ok);

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> GetAsync(string key, HttpContext http,
        TicketService tickets, MarkdownService markdown, CancellationToken ct)
    {
        if (await tickets.GetAsync(key, ct) is not { } details)
        {
            return TicketRefusals.NotFound(key).ToProblem();
        }
        http.Response.Headers.ETag = $"\"{details.Ticket.RowVersion}\"";
        return TypedResults.Ok(TicketResponse.From(details.Ticket, await markdown.RenderAsync(details.Ticket.Description, ct), details));
    }

    private static async Task<Results<Created<TicketResponse>, ProblemHttpResult>> CreateAsync(CreateTicketRequest request, ClaimsPrincipal user,
        TicketService tickets, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var type = Parse(request.Type, "type", TicketRules.TryParseType, TicketType.Task, errors);
        var priority = Parse(request.Priority, "priority", TicketRules.TryParsePriority, TicketPriority.P3, errors);
        if (errors.Count > 0)
        {
            return TicketRefusals.Invalid(errors).ToProblem();
        }
        var draft = new NewTicket(request.Title ?? "", request.Description, type, priority, request.Service, request.Assignee, request.Labels, request.DueDate);
        return (await tickets.CreateAsync(draft, user.ToActor(), ct))
            .ToHttp(ticket => TypedResults.Created($"/api/tickets/{ticket.Key}", TicketResponse.From(ticket)));
    }

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> PatchAsync(string key, JsonElement body, HttpContext http,
        ClaimsPrincipal user, TicketService tickets, CancellationToken ct)
    {
        if (!TicketPatch.Read(body, http.Request.Headers.IfMatch.ToString()).TryGet(out var patch, out var refusal))
        {
            return refusal.ToProblem();
        }
        return (await tickets.UpdateAsync(key, patch.Edit, patch.Version, user.ToActor(), ct)).ToHttp(ticket =>
        {
            http.Response.Headers.ETag = $"\"{ticket.RowVersion}\"";
            return TypedResults.Ok(TicketResponse.From(ticket));
        });
    }

    private static async Task<Results<Created<TicketCommentResponse>, ProblemHttpResult>> CommentAsync(string key, CommentRequest request,
        ClaimsPrincipal user, TicketService tickets, CancellationToken ct) =>
        (await tickets.AddCommentAsync(key, request.Body ?? "", user.ToActor(), ct)).ToHttp(comment =>
            TypedResults.Created($"/api/tickets/{TicketRules.NormalizeKey(key)}#comment-{comment.Id}", TicketCommentResponse.From(comment)));

    /// <summary>An optional enum field of a request: the fallback when absent, an error by field when unknown.</summary>
    internal static T Parse<T>(string? text, string field, TryParse<T> parse, T fallback, Dictionary<string, string> errors) where T : struct
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (parse(text, out var value))
        {
            return value;
        }
        errors.TryAdd(field, $"Unknown {field} '{text}'.");
        return fallback;
    }

    internal delegate bool TryParse<T>(string? text, out T value);
}
