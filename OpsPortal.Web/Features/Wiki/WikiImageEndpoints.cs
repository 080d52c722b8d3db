using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpsPortal.Core;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Wiki;

/// <summary>
/// Images of wiki pages: POST the raw bytes (what the editor does on paste or upload), GET them back.
/// Outside <c>/api/wiki/{slug}</c> so an image id can never be mistaken for a page.
/// </summary>
public static class WikiImageEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/wiki-images").RequireAuthorization().WithTags("Wiki");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("An image of a wiki page.");
        group.MapPost("", PostAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Add an image to the page 'slug': the body is the PNG, JPEG, GIF or WebP file; 'name' is its file name.");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAsync(Guid id, WikiService wiki, HttpContext http, CancellationToken ct)
    {
        if (await wiki.ImageAsync(id, ct) is not { } image)
        {
            return Refusal.NotFound($"There is no image {id}.", "No such image").ToProblem();
        }
        // An image never changes under its id; the type was checked from its bytes when it was stored.
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.File(image.Data, image.ContentType);
    }

    private static async Task<Results<Created<WikiEndpoints.ImageCreated>, ProblemHttpResult>> PostAsync(string? slug, string? name, HttpRequest request,
        WikiService wiki, IOptions<WikiOptions> options, ClaimsPrincipal user, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(slug))
        {
            return Refusal.Invalid("Pass the page as ?slug=.", "Invalid image").ToProblem();
        }
        var limit = options.Value.MaxImageBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return Refusal.TooLarge($"The limit is {limit / 1024:N0} KiB.", "Image too large").ToProblem();
            }
            buffer.Write(chunk, 0, read);
        }
        return (await wiki.AddImageAsync(user.ToActor(), slug, name ?? "image", buffer.ToArray(), ct)).ToHttp(id =>
        {
            var url = $"/api/wiki-images/{id}";
            return TypedResults.Created(url, new WikiEndpoints.ImageCreated(id, url, $"![{Alt(name)}]({url})"));
        });
    }

    private static string Alt(string? name) =>
        new(Path.GetFileNameWithoutExtension(name ?? "image").Where(c => c is not ('[' or ']' or '\\')).ToArray());
}
