using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;

namespace OpsPortal.Core.Wiki;

public sealed partial class WikiService
{
    /// <summary>
    /// Stores an image for a page and returns its id (served at <c>/api/wiki/images/{id}</c>). Only
    /// PNG, JPEG, GIF and WebP, recognised by their first bytes, not by what the browser claims:
    /// SVG can carry script.
    /// </summary>
    public async Task<Result<Guid>> AddImageAsync(Actor actor, string slug, string fileName, byte[] data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length == 0)
        {
            return Refusal.Invalid("The image is empty.", "Invalid image");
        }
        if (data.Length > options.Value.MaxImageBytes)
        {
            return Refusal.TooLarge($"The image is {data.Length / 1024.0:N0} KiB; the limit is {options.Value.MaxImageBytes / 1024.0:N0} KiB.", "Image too large");
        }
        var contentType = ImageType(data);
        if (contentType is null)
        {
            return Refusal.Invalid("Only PNG, JPEG, GIF and WebP images can be added.", "Invalid image");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var page = await LockAsync(db, slug, followRedirect: true, ct);
        if (page is null)
        {
            return WikiRefusals.NotFound($"There is no page '{slug}' yet: save it once, then add images.");
        }
        var image = new WikiImage
        {
            Id = Guid.NewGuid(),
            PageId = page.Id,
            FileName = SafeFileName(fileName),
            ContentType = contentType,
            Data = data,
            UploadedBy = actor.Name,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(image);
        events.Append(db, actor.Name, WikiEventKinds.ImageUploaded, WikiEventKinds.SubjectType, page.Id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} added image {image.FileName} to wiki page {page.Title}", page.Services.FirstOrDefault(),
            new { slug = page.Slug, image = image.Id, bytes = data.Length });
        await db.SaveChangesAsync(ct);
        return image.Id;
    }

    internal static string? ImageType(ReadOnlySpan<byte> d) => d switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

    private static string SafeFileName(string name)
    {
        var clean = new string(Path.GetFileName(name).Where(c => !char.IsControl(c) && c is not ('[' or ']' or '(' or ')')).ToArray()).Trim();
        return clean.Length == 0 ? "image" : clean.Length > 200 ? clean[..200] : clean;
    }
}
