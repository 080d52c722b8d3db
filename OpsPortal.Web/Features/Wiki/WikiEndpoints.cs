using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Wiki;

/// <summary>
/// The wiki over HTTP, one route per operation. A page is <c>/api/wiki/{slug}</c> (slugs contain
/// '/'); its history, one revision, a diff and a restore have routes of their own under the reserved
/// words <c>revisions</c> and <c>diff</c>, which no slug may contain, with the slug as a query
/// parameter. The addresses before that (<c>{slug}/revisions</c> …) still answer:
/// <see cref="WikiLegacyAddresses"/> rewrites them. Reads for every signed-in user; writes for Engineers.
/// </summary>
public static class WikiEndpoints
{
    public sealed record PageBody(string Slug, string Title, string Body, string Html, int Revision, IReadOnlyList<string> Services,
        DateTimeOffset UpdatedAt, string UpdatedBy, bool Stale, string? RedirectedFrom);

    /// <summary>A page as a write returns it.</summary>
    public sealed record SavedBody(string Slug, string Title, string Body, int Revision, IReadOnlyList<string> Services,
        DateTimeOffset UpdatedAt, string UpdatedBy)
    {
        public static SavedBody From(WikiPageView p) => new(p.Slug, p.Title, p.Body, p.Revision, p.Services, p.UpdatedAt, p.UpdatedBy);
    }

    public sealed record DiffBody(int From, int To, WikiDiffResult Diff);

    public sealed record PutBody(string? Title, string? Body, int? BaseRevision, string? Message, IReadOnlyList<string>? Services);

    public sealed record MoveBody(string? Slug, string? Message);

    public sealed record ImageCreated(Guid Id, string Url, string Markdown);

    public static IEndpointRouteBuilder MapWikiApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/wiki").RequireAuthorization().WithTags("Wiki");
        group.MapGet("", ListAsync).WithSummary("Recently changed pages; with q (web-search syntax), the pages matching it, ranked, with highlighted snippets.");
        group.MapGet("/revisions", RevisionsAsync).WithSummary("The history of the page 'slug', newest first.");
        group.MapGet("/revisions/{number:int}", RevisionAsync).WithSummary("Revision 'number' of the page 'slug'.");
        group.MapPost("/revisions/{number:int}/restore", RestoreAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Make revision 'number' of the page 'slug' its content again, as a new revision.");
        group.MapGet("/diff", DiffAsync).WithSummary("The diff of revisions 'from' and 'to' (default: the latest change) of the page 'slug'.");
        group.MapGet("/{**slug}", GetAsync).WithSummary("The page, rendered; an old slug of a moved page answers too.");
        group.MapPut("/{**slug}", PutAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create (no baseRevision) or update a page; 409 with the current page when baseRevision is stale.");
        group.MapPatch("/{**slug}", MoveAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Move or rename the page to body.slug; the old slug redirects.");
        WikiImageEndpoints.Map(app);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<WikiPageSummary>>, Ok<IReadOnlyList<WikiSearchHit>>, ProblemHttpResult>> ListAsync(
        WikiService wiki, WikiSearch search, string? q, int? limit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return TypedResults.Ok(await wiki.RecentAsync(limit ?? 20, ct));
        }
        return (await search.SearchAsync(q, limit ?? 20, ct)).TryGet(out var hits, out var refusal) ? TypedResults.Ok(hits) : refusal.ToProblem();
    }

    private static async Task<Results<Ok<PageBody>, ProblemHttpResult>> GetAsync(string slug, WikiService wiki, WikiRenderer renderer, CancellationToken ct)
    {
        if (await wiki.GetAsync(slug, ct) is not { } page)
        {
            return Missing(slug).ToProblem();
        }
        return (await renderer.RenderAsync(page.Body, ct)).ToHttp(rendered => TypedResults.Ok(new PageBody(page.Slug, page.Title, page.Body,
            rendered.Html, page.Revision, page.Services, page.UpdatedAt, page.UpdatedBy, page.IsStale, page.RedirectedFrom)));
    }

    private static async Task<Results<Ok<IReadOnlyList<WikiRevisionInfo>>, ProblemHttpResult>> RevisionsAsync(string slug, WikiService wiki, CancellationToken ct) =>
        await wiki.GetAsync(slug, ct) is { } page ? TypedResults.Ok(await wiki.RevisionsAsync(page.Id, ct)) : Missing(slug).ToProblem();

    private static async Task<Results<Ok<WikiRevisionView>, ProblemHttpResult>> RevisionAsync(string slug, int number, WikiService wiki, CancellationToken ct)
    {
        if (await wiki.GetAsync(slug, ct) is not { } page)
        {
            return Missing(slug).ToProblem();
        }
        return await wiki.RevisionAsync(page.Id, number, ct) is { } revision
            ? TypedResults.Ok(revision)
            : Refusal.NotFound($"Page '{page.Slug}' has no revision {number}.", "No such revision").ToProblem();
    }

    private static async Task<Results<Ok<DiffBody>, ProblemHttpResult>> DiffAsync(string slug, int? from, int? to, WikiService wiki, CancellationToken ct)
    {
        if (await wiki.GetAsync(slug, ct) is not { } page)
        {
            return Missing(slug).ToProblem();
        }
        var toNumber = to ?? page.Revision;
        var fromNumber = from ?? toNumber - 1;
        var older = await wiki.RevisionAsync(page.Id, fromNumber, ct);
        var newer = await wiki.RevisionAsync(page.Id, toNumber, ct);
        if (older is null || newer is null)
        {
            return Refusal.Invalid($"'from' and 'to' must be revisions of '{page.Slug}' (1 to {page.Revision}).", "No such revision").ToProblem();
        }
        return TypedResults.Ok(new DiffBody(fromNumber, toNumber, WikiDiff.Compare(older.Body, newer.Body)));
    }

    private static async Task<Results<Created<SavedBody>, Ok<SavedBody>, ProblemHttpResult>> PutAsync(string slug, PutBody? body, WikiService wiki,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return WikiRefusals.Invalid("Send JSON: {title, body, baseRevision, message, services?}.").ToProblem();
        }
        return Saved(await wiki.SaveAsync(user.ToActor(), slug,
            new WikiSaveRequest(body.Title ?? "", body.Body!, body.BaseRevision, body.Message, body.Services), ct));
    }

    private static async Task<Results<Created<SavedBody>, Ok<SavedBody>, ProblemHttpResult>> MoveAsync(string slug, MoveBody? body, WikiService wiki,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (body?.Slug is null)
        {
            return Refusal.Invalid("Send JSON: {slug: \"new/slug\", message?}.", "Invalid move").ToProblem();
        }
        return Saved(await wiki.MoveAsync(user.ToActor(), slug, body.Slug, body.Message, ct));
    }

    private static async Task<Results<Created<SavedBody>, Ok<SavedBody>, ProblemHttpResult>> RestoreAsync(string slug, int number, WikiService wiki,
        ClaimsPrincipal user, CancellationToken ct) =>
        Saved(await wiki.RestoreAsync(user.ToActor(), slug, number, ct));

    private static Results<Created<SavedBody>, Ok<SavedBody>, ProblemHttpResult> Saved(Result<WikiSaved> result)
    {
        if (!result.TryGet(out var saved, out var refusal))
        {
            return refusal.ToProblem();
        }
        var page = SavedBody.From(saved.Page);
        return saved.Status == WikiSaveStatus.Created ? TypedResults.Created($"/api/wiki/{page.Slug}", page) : TypedResults.Ok(page);
    }

    private static Refusal Missing(string slug) => WikiRefusals.NotFound($"There is no wiki page '{slug}'.");
}
