using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpsPortal.Core.Wiki;
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

    private static async Task<IResult> GetAsync(Guid id, WikiService wiki, HttpContext http, CancellationToken ct)
    {
        if (await wiki.ImageAsync(id, ct) is not { } image)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image", detail: $"There is no image {id}.");
        }
        // An image never changes under its id; the type was checked from its bytes when it was stored.
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.File(image.Data, image.ContentType);
    }

    private static async Task<IResult> PostAsync(string? slug, string? name, HttpRequest request, WikiService wiki,
        IOptions<WikiOptions> options, ClaimsPrincipal user, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(slug))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid image", detail: "Pass the page as ?slug=.");
        }
        var limit = options.Value.MaxImageBytes;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Image too large",
                    detail: $"The limit is {limit / 1024:N0} KiB.");
            }
            buffer.Write(chunk, 0, read);
        }
        var (id, error) = await wiki.AddImageAsync(user.Identity!.Name!, slug, name ?? "image", buffer.ToArray(), ct);
        if (id is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid image", detail: error);
        }
        var url = $"/api/wiki-images/{id}";
        return TypedResults.Created(url, new WikiEndpoints.ImageCreated(id.Value, url, $"![{Alt(name)}]({url})"));
    }

    private static string Alt(string? name) =>
        new(Path.GetFileNameWithoutExtension(name ?? "image").Where(c => c is not ('[' or ']' or '\\')).ToArray());
}
