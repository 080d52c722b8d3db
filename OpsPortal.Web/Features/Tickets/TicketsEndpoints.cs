using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Tickets;
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
        TicketList list, CancellationToken ct) => await RunAsync<Ok<TicketListResponse>>(async () =>
        {
            var page = await list.ListAsync(TicketQuery.Parse(http.Request.QueryString.Value), Actor(user), ct);
            return TypedResults.Ok(new TicketListResponse(page.Rows.Select(TicketSummaryResponse.From).ToList(), page.Total, page.Page, page.PageSize, page.Pages));
        });

    private static async Task<Results<Ok<List<TicketHit>>, ProblemHttpResult>> SearchAsync(string? q, TicketSearch search, CancellationToken ct) =>
        await RunAsync<Ok<List<TicketHit>>>(async () => TypedResults.Ok(await search.SearchAsync(q ?? "", 20, ct)));

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> GetAsync(string key, HttpContext http,
        TicketService tickets, MarkdownService markdown, CancellationToken ct) => await RunAsync<Ok<TicketResponse>>(async () =>
        {
            var details = await tickets.GetAsync(key, ct) ?? throw new TicketNotFoundException(key);
            http.Response.Headers.ETag = $"\"{details.Ticket.RowVersion}\"";
            return TypedResults.Ok(TicketResponse.From(details.Ticket, await markdown.RenderAsync(details.Ticket.Description, ct), details));
        });

    private static async Task<Results<Created<TicketResponse>, ProblemHttpResult>> CreateAsync(CreateTicketRequest request, ClaimsPrincipal user,
        TicketService tickets, CancellationToken ct) => await RunAsync<Created<TicketResponse>>(async () =>
        {
            var draft = new NewTicket(request.Title ?? "", request.Description,
                Parse<TicketType>(request.Type, "type", TicketRules.TryParseType, TicketType.Task),
                Parse<TicketPriority>(request.Priority, "priority", TicketRules.TryParsePriority, TicketPriority.P3),
                request.Service, request.Assignee, request.Labels, request.DueDate);
            var ticket = await tickets.CreateAsync(draft, Actor(user), ct);
            return TypedResults.Created($"/api/tickets/{ticket.Key}", TicketResponse.From(ticket));
        });

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> PatchAsync(string key, JsonElement body, HttpContext http,
        ClaimsPrincipal user, TicketService tickets, CancellationToken ct) => await RunAsync<Ok<TicketResponse>>(async () =>
        {
            var (edit, version) = TicketPatch.Read(body, http.Request.Headers.IfMatch.ToString());
            var ticket = await tickets.UpdateAsync(key, edit, version, Actor(user), ct);
            http.Response.Headers.ETag = $"\"{ticket.RowVersion}\"";
            return TypedResults.Ok(TicketResponse.From(ticket));
        });

    private static async Task<Results<Created<TicketCommentResponse>, ProblemHttpResult>> CommentAsync(string key, CommentRequest request,
        ClaimsPrincipal user, TicketService tickets, CancellationToken ct) => await RunAsync<Created<TicketCommentResponse>>(async () =>
        {
            var comment = await tickets.AddCommentAsync(key, request.Body ?? "", Actor(user), ct);
            return TypedResults.Created($"/api/tickets/{TicketRules.NormalizeKey(key)}#comment-{comment.Id}", TicketCommentResponse.From(comment));
        });

    internal static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("Signed-in user without a name.");

    internal static T Parse<T>(string? text, string field, TryParse<T> parse, T fallback) where T : struct =>
        string.IsNullOrWhiteSpace(text) ? fallback
            : parse(text, out var value) ? value : throw new TicketValidationException(field, $"Unknown {field} '{text}'.");

    internal delegate bool TryParse<T>(string? text, out T value);

    private static async Task<Results<TOk, ProblemHttpResult>> RunAsync<TOk>(Func<Task<TOk>> run) where TOk : IResult
    {
        try
        {
            return await run();
        }
        catch (TicketValidationException ex)
        {
            var problem = TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid ticket input", detail: ex.Message);
            problem.ProblemDetails.Extensions["errors"] = ex.Errors;
            return problem;
        }
        catch (TicketNotFoundException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Ticket not found", detail: ex.Message);
        }
        catch (TicketWorkflowException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Status change not allowed", detail: ex.Message);
        }
        catch (TicketConflictException ex)
        {
            var problem = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The ticket was changed by someone else", detail: ex.Message);
            problem.ProblemDetails.Extensions["currentVersion"] = ex.Current.RowVersion;
            problem.ProblemDetails.Extensions["changes"] = ex.Missed.Select(m => new MissedChangeResponse(m.Actor, m.At, m.Version,
                m.Changes.Select(c => new FieldChangeResponse(c.Field, c.From, c.To)).ToList())).ToList();
            return problem;
        }
    }
}
