using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Wiki;

public sealed partial class WikiService
{
    /// <summary>
    /// Creates the page or adds a revision. The page row is locked for the check, so of two saves
    /// from the same base revision exactly one wins; the other is refused as a Conflict carrying the
    /// page as it is now (<see cref="WikiRefusals.TryGetCurrent"/>), and nothing it sent is written.
    /// </summary>
    public async Task<Result<WikiSaved>> SaveAsync(Actor actor, string slug, WikiSaveRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        if ((WikiSlug.Validate(slug) ?? ValidateContent(request.Title, request.Body, request.Message, request.Services)) is { } error)
        {
            return WikiRefusals.Invalid(error);
        }
        var title = request.Title.Trim();
        var message = Message(request.Message);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var page = await LockAsync(db, slug, followRedirect: request.BaseRevision is not null, ct);
        if (page is null)
        {
            if (request.BaseRevision is > 0)
            {
                return WikiRefusals.NotFound($"There is no page '{slug}' to update; send no baseRevision to create it.");
            }
            return await CreateAsync(db, tx, actor.Name, slug, title, request, message, ct);
        }
        if (request.BaseRevision != page.Revision)
        {
            return WikiRefusals.Conflict(request.BaseRevision is null
                ? $"A page '{page.Slug}' already exists (revision {page.Revision}); send baseRevision to update it."
                : $"The page changed since revision {request.BaseRevision}: it is at revision {page.Revision} now.", View(page));
        }
        var services = request.Services is null ? page.Services : NormaliseServices(request.Services);
        if (page.Title == title && page.Body == request.Body && page.Services.SequenceEqual(services))
        {
            return new WikiSaved(WikiSaveStatus.Unchanged, View(page));
        }
        // Only the names this edit adds are mentions: an edit elsewhere on the page does not notify everyone named in it again.
        var mentions = Mentions.In(request.Body).Except(Mentions.In(page.Body)).ToList();
        page.Title = title;
        page.Body = request.Body;
        page.Services = services;
        AddRevision(db, page, actor.Name, message);
        await ReplaceLinksAsync(db, page, ct);
        events.Append(db, actor.Name, WikiEventKinds.PageEdited, WikiEventKinds.SubjectType, Id(page),
            $"{actor.Name} edited wiki page {page.Title} (revision {page.Revision})" + Suffix(message), page.Services.FirstOrDefault(),
            new { slug = page.Slug, revision = page.Revision, message, mentions });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WikiSaved(WikiSaveStatus.Updated, View(page));
    }

    private async Task<Result<WikiSaved>> CreateAsync(OpsDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx,
        string actor, string slug, string title, WikiSaveRequest request, string? message, CancellationToken ct)
    {
        // A new page may take over an old slug of a moved page: the redirect gives way.
        await db.Set<WikiRedirect>().Where(r => r.FromSlug == slug).ExecuteDeleteAsync(ct);
        var now = clock.GetUtcNow();
        var page = new WikiPage
        {
            Slug = slug,
            Title = title,
            Body = request.Body,
            Services = NormaliseServices(request.Services ?? []),
            IsDemo = request.IsDemo,
            CreatedAt = now,
            UpdatedBy = actor,
        };
        db.Add(page);
        AddRevision(db, page, actor, message);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Someone created the same page a moment ago.
            await tx.RollbackAsync(ct);
            return WikiRefusals.Conflict($"A page '{slug}' was created by someone else just now.", await GetAsync(slug, ct));
        }
        await ReplaceLinksAsync(db, page, ct);
        events.Append(db, actor, WikiEventKinds.PageCreated, WikiEventKinds.SubjectType, Id(page),
            $"{actor} created wiki page {page.Title}" + Suffix(message), page.Services.FirstOrDefault(), new { slug, revision = 1, message, mentions = Mentions.In(page.Body) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WikiSaved(WikiSaveStatus.Created, View(page));
    }

    /// <summary>Moves a page to a new slug. History moves with it; the old slug redirects, so links and bookmarks keep working.</summary>
    public async Task<Result<WikiSaved>> MoveAsync(Actor actor, string slug, string newSlug, string? message = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (WikiSlug.Validate(newSlug) is { } error)
        {
            return WikiRefusals.Invalid(error);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var page = await LockAsync(db, slug, followRedirect: false, ct);
        if (page is null)
        {
            return WikiRefusals.NotFound($"There is no page '{slug}'.");
        }
        if (newSlug == page.Slug)
        {
            return new WikiSaved(WikiSaveStatus.Unchanged, View(page));
        }
        if (await db.Set<WikiPage>().AnyAsync(p => p.Slug == newSlug, ct))
        {
            return WikiRefusals.Invalid($"A page '{newSlug}' already exists.");
        }
        var oldSlug = page.Slug;
        await db.Set<WikiRedirect>().Where(r => r.FromSlug == newSlug).ExecuteDeleteAsync(ct);
        db.Add(new WikiRedirect { FromSlug = oldSlug, PageId = page.Id, CreatedAt = clock.GetUtcNow() });
        page.Slug = newSlug;
        var text = Message(message) ?? $"Moved from {oldSlug}";
        AddRevision(db, page, actor.Name, text);
        events.Append(db, actor.Name, WikiEventKinds.PageMoved, WikiEventKinds.SubjectType, Id(page),
            $"{actor.Name} moved wiki page {page.Title} from {oldSlug} to {newSlug}", page.Services.FirstOrDefault(),
            new { slug = newSlug, from = oldSlug, revision = page.Revision });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WikiSaved(WikiSaveStatus.Updated, View(page));
    }

    /// <summary>Makes an old revision's title, body and services the page's content again, as a new revision: history only grows.</summary>
    public async Task<Result<WikiSaved>> RestoreAsync(Actor actor, string slug, int number, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var page = await LockAsync(db, slug, followRedirect: true, ct);
        if (page is null)
        {
            return WikiRefusals.NotFound($"There is no page '{slug}'.");
        }
        var old = await db.Set<WikiRevision>().AsNoTracking().SingleOrDefaultAsync(r => r.PageId == page.Id && r.Number == number, ct);
        if (old is null)
        {
            return Refusal.NotFound($"Page '{page.Slug}' has no revision {number}.", "No such revision");
        }
        page.Title = old.Title;
        page.Body = old.Body;
        page.Services = [.. old.Services];
        var message = $"Restored revision {number}";
        AddRevision(db, page, actor.Name, message);
        await ReplaceLinksAsync(db, page, ct);
        events.Append(db, actor.Name, WikiEventKinds.PageRestored, WikiEventKinds.SubjectType, Id(page),
            $"{actor.Name} restored revision {number} of wiki page {page.Title}", page.Services.FirstOrDefault(),
            new { slug = page.Slug, revision = page.Revision, restored = number });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WikiSaved(WikiSaveStatus.Updated, View(page));
    }

    /// <summary>The error for a person, or null. Bodies, titles and services are checked before anything is locked.</summary>
    private string? ValidateContent(string? title, string? body, string? message, IReadOnlyList<string>? services)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Trim().Length > WikiPageRules.MaxTitleLength)
        {
            return $"A page needs a title of 1 to {WikiPageRules.MaxTitleLength} characters.";
        }
        if (body is null)
        {
            return "A page needs a body (it may be empty).";
        }
        if (body.Length > options.Value.MaxBodyLength)
        {
            return $"The body is {body.Length:N0} characters; the limit is {options.Value.MaxBodyLength:N0}. Split the page.";
        }
        if (message is { Length: > WikiPageRules.MaxMessageLength })
        {
            return $"The change message is limited to {WikiPageRules.MaxMessageLength} characters.";
        }
        if (services is not null && (services.Count > WikiPageRules.MaxServices
            || services.Any(s => string.IsNullOrWhiteSpace(s) || s.Trim().Length > WikiPageRules.MaxServiceLength)))
        {
            return $"A page names at most {WikiPageRules.MaxServices} services, each 1 to {WikiPageRules.MaxServiceLength} characters.";
        }
        return null;
    }

    private static async Task<WikiPage?> LockAsync(OpsDbContext db, string slug, bool followRedirect, CancellationToken ct)
    {
        var page = await db.Set<WikiPage>().FromSql($"SELECT * FROM wiki_pages WHERE slug = {slug} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (page is not null || !followRedirect)
        {
            return page;
        }
        return await db.Set<WikiPage>()
            .FromSql($"SELECT p.* FROM wiki_pages p JOIN wiki_redirects r ON r.page_id = p.id WHERE r.from_slug = {slug} FOR UPDATE OF p")
            .SingleOrDefaultAsync(ct);
    }

    private void AddRevision(OpsDbContext db, WikiPage page, string actor, string? message)
    {
        var now = clock.GetUtcNow();
        page.Revision++;
        page.UpdatedAt = now;
        page.UpdatedBy = actor;
        db.Add(new WikiRevision
        {
            Page = page,
            Number = page.Revision,
            Slug = page.Slug,
            Title = page.Title,
            Body = page.Body,
            Services = [.. page.Services],
            Author = actor,
            CreatedAt = now,
            Message = message,
        });
    }

    private static async Task ReplaceLinksAsync(OpsDbContext db, WikiPage page, CancellationToken ct)
    {
        await db.Set<WikiLink>().Where(l => l.PageId == page.Id).ExecuteDeleteAsync(ct);
        var names = WikiLinkParser.Names(page.Body);
        var resolved = names.Count == 0 ? [] : await ResolveLinksAsync(db, names, ct);
        var targets = names.Select(n => resolved.GetValueOrDefault(n) ?? WikiSlug.From(n)).Distinct(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            db.Add(new WikiLink { PageId = page.Id, TargetSlug = target });
        }
    }

    private static List<string> NormaliseServices(IEnumerable<string> services) =>
        services.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string? Message(string? message) => string.IsNullOrWhiteSpace(message) ? null : message.Trim();

    private static string Suffix(string? message) => message is null ? "" : $": {message}";

    private static string Id(WikiPage page) => page.Id.ToString(CultureInfo.InvariantCulture);
}
