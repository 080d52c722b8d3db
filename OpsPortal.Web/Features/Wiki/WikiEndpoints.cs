using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Wiki;

/// <summary>
/// The wiki over HTTP. Slugs contain '/', so one catch-all route per verb reads the action from the
/// tail: <c>{slug}</c>, <c>{slug}/revisions</c>, <c>{slug}/revisions/{n}</c>, <c>{slug}/diff</c>,
/// <c>{slug}/revisions/{n}/restore</c> (those words cannot be slug segments). Reads for every
/// signed-in user; writes for Engineers and Admins.
/// </summary>
public static class WikiEndpoints
{
    public sealed record PageBody(string Slug, string Title, string Body, string Html, int Revision, IReadOnlyList<string> Services,
        DateTimeOffset UpdatedAt, string UpdatedBy, bool Stale, string? RedirectedFrom);

    public sealed record PutBody(string? Title, string? Body, int? BaseRevision, string? Message, IReadOnlyList<string>? Services);

    public sealed record MoveBody(string? Slug, string? Message);

    public sealed record ImageCreated(Guid Id, string Url, string Markdown);

    public static IEndpointRouteBuilder MapWikiApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/wiki").RequireAuthorization().WithTags("Wiki");
        group.MapGet("", ListAsync).WithSummary("Search (q: web-search syntax, ranked, with highlighted snippets) or, without q, recently changed pages.");
        group.MapGet("/{**path}", GetAsync)
            .WithSummary("{slug}: the page (old slugs of moved pages answer too); {slug}/revisions: its history; {slug}/revisions/{n}: one revision; {slug}/diff?from=&to=: a diff of any two revisions.");
        group.MapPut("/{**slug}", PutAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create (no baseRevision) or update a page; 409 with the current page when baseRevision is stale.");
        group.MapPatch("/{**slug}", MoveAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Move or rename a page to {slug}; the old slug redirects.");
        group.MapPost("/{**path}", RestoreAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("{slug}/revisions/{n}/restore: make revision n the current content again, as a new revision.");
        WikiImageEndpoints.Map(app);
        return app;
    }

    private static async Task<IResult> ListAsync(WikiService wiki, WikiSearch search, string? q, int? limit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return TypedResults.Ok(await wiki.RecentAsync(limit ?? 20, ct));
        }
        try
        {
            return TypedResults.Ok(await search.SearchAsync(q, limit ?? 20, ct));
        }
        catch (ArgumentException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid search", ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static async Task<IResult> GetAsync(string path, int? from, int? to, WikiService wiki, WikiRenderer renderer, CancellationToken ct)
    {
        var (slug, action, number) = Split(path);
        var page = await wiki.GetAsync(slug, ct);
        if (page is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such page", $"There is no wiki page '{slug}'.");
        }
        switch (action)
        {
            case "revisions" when number is null:
                return TypedResults.Ok(await wiki.RevisionsAsync(page.Id, ct));
            case "revisions":
                var revision = await wiki.RevisionAsync(page.Id, number.Value, ct);
                return revision is null ? Problem(StatusCodes.Status404NotFound, "No such revision", $"Page '{page.Slug}' has no revision {number}.") : TypedResults.Ok(revision);
            case "diff":
                return await DiffAsync(wiki, page, from, to, ct);
            case null:
                var html = (await renderer.RenderAsync(page.Body, ct)).Html;
                return TypedResults.Ok(new PageBody(page.Slug, page.Title, page.Body, html, page.Revision, page.Services, page.UpdatedAt,
                    page.UpdatedBy, page.IsStale, page.RedirectedFrom));
            default:
                return Problem(StatusCodes.Status404NotFound, "Not found", $"'{path}' is not a page or a page action.");
        }
    }

    private static async Task<IResult> DiffAsync(WikiService wiki, WikiPageView page, int? from, int? to, CancellationToken ct)
    {
        var toNumber = to ?? page.Revision;
        var fromNumber = from ?? toNumber - 1;
        var older = await wiki.RevisionAsync(page.Id, fromNumber, ct);
        var newer = await wiki.RevisionAsync(page.Id, toNumber, ct);
        if (older is null || newer is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "No such revision",
                $"'from' and 'to' must be revisions of '{page.Slug}' (1 to {page.Revision}).");
        }
        return TypedResults.Ok(new { from = fromNumber, to = toNumber, diff = WikiDiff.Compare(older.Body, newer.Body) });
    }

    private static async Task<IResult> PutAsync(string slug, PutBody? body, WikiService wiki, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid page", "Send JSON: {title, body, baseRevision, message, services?}.");
        }
        var result = await wiki.SaveAsync(user.Identity!.Name!, slug,
            new WikiSaveRequest(body.Title ?? "", body.Body!, body.BaseRevision, body.Message, body.Services), ct);
        return Result(result);
    }

    private static async Task<IResult> MoveAsync(string slug, MoveBody? body, WikiService wiki, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Slug is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid move", "Send JSON: {slug: \"new/slug\", message?}.");
        }
        return Result(await wiki.MoveAsync(user.Identity!.Name!, slug, body.Slug, body.Message, ct));
    }

    private static async Task<IResult> RestoreAsync(string path, WikiService wiki, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!path.EndsWith("/restore", StringComparison.Ordinal) || Split(path[..^"/restore".Length]) is not (var slug, "revisions", int number))
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", "POST {slug}/revisions/{n}/restore restores a revision.");
        }
        return Result(await wiki.RestoreAsync(user.Identity!.Name!, slug, number, ct));
    }

    private static IResult Result(WikiSaveResult result) => result.Status switch
    {
        WikiSaveStatus.Created => TypedResults.Created($"/api/wiki/{result.Page!.Slug}", Summary(result.Page)),
        WikiSaveStatus.Updated or WikiSaveStatus.Unchanged => TypedResults.Ok(Summary(result.Page!)),
        WikiSaveStatus.Conflict => Conflict(result),
        WikiSaveStatus.NotFound => Problem(StatusCodes.Status404NotFound, "No such page", result.Error!),
        _ => Problem(StatusCodes.Status400BadRequest, "Invalid page", result.Error!),
    };

    private static ProblemHttpResult Conflict(WikiSaveResult result)
    {
        var problem = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The page changed", detail: result.Error);
        if (result.Page is { } current)
        {
            problem.ProblemDetails.Extensions["currentRevision"] = current.Revision;
            problem.ProblemDetails.Extensions["current"] = Summary(current);
        }
        return problem;
    }

    private static object Summary(WikiPageView p) =>
        new { slug = p.Slug, title = p.Title, body = p.Body, revision = p.Revision, services = p.Services, updatedAt = p.UpdatedAt, updatedBy = p.UpdatedBy };

    /// <summary>Splits <c>a/b/revisions/3</c> into (a/b, revisions, 3) and <c>a/b/diff</c> into (a/b, diff, null).</summary>
    internal static (string Slug, string? Action, int? Number) Split(string path)
    {
        var segments = path.Trim('/').Split('/');
        if (segments.Length >= 3 && segments[^2] == "revisions" && int.TryParse(segments[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return (string.Join('/', segments[..^2]), "revisions", n);
        }
        if (segments.Length >= 2 && segments[^1] is "revisions" or "diff")
        {
            return (string.Join('/', segments[..^1]), segments[^1], null);
        }
        return (path.Trim('/'), null, null);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
