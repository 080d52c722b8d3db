using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// Pages, revisions, links and redirects. Reads here; writes (save, move, restore, images) in
/// <c>WikiService.Save.cs</c>. Callers check roles first; every write records its actor.
/// </summary>
public sealed partial class WikiService(
    IDbContextFactory<OpsDbContext> dbFactory, NpgsqlDataSource dataSource, EventLog events, TimeProvider clock, IOptions<WikiOptions> options)
{
    /// <summary>The page at <paramref name="slug"/>, following a redirect left by a move; null when there is none.</summary>
    public async Task<WikiPageView?> GetAsync(string slug, CancellationToken ct = default)
    {
        if (!WikiSlug.IsValid(slug))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var page = await db.Set<WikiPage>().AsNoTracking().SingleOrDefaultAsync(p => p.Slug == slug, ct);
        if (page is not null)
        {
            return View(page);
        }
        var redirect = await db.Set<WikiRedirect>().AsNoTracking().SingleOrDefaultAsync(r => r.FromSlug == slug, ct);
        if (redirect is null)
        {
            return null;
        }
        page = await db.Set<WikiPage>().AsNoTracking().SingleAsync(p => p.Id == redirect.PageId, ct);
        return View(page) with { RedirectedFrom = slug };
    }

    public async Task<IReadOnlyList<WikiRevisionInfo>> RevisionsAsync(long pageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<WikiRevision>().AsNoTracking()
            .Where(r => r.PageId == pageId)
            .OrderByDescending(r => r.Number)
            .Select(r => new WikiRevisionInfo(r.Number, r.Slug, r.Title, r.Author, r.CreatedAt, r.Message))
            .ToListAsync(ct);
    }

    public async Task<WikiRevisionView?> RevisionAsync(long pageId, int number, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<WikiRevision>().AsNoTracking()
            .Where(r => r.PageId == pageId && r.Number == number)
            .Select(r => new WikiRevisionView(r.Number, r.Slug, r.Title, r.Body, r.Services, r.Author, r.CreatedAt, r.Message))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Pages whose body links here, by the current slug or any old one.</summary>
    public async Task<IReadOnlyList<WikiLinkInfo>> BacklinksAsync(long pageId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var slugs = db.Set<WikiPage>().Where(p => p.Id == pageId).Select(p => p.Slug)
            .Concat(db.Set<WikiRedirect>().Where(r => r.PageId == pageId).Select(r => r.FromSlug));
        return await (from l in db.Set<WikiLink>()
                      join p in db.Set<WikiPage>() on l.PageId equals p.Id
                      where slugs.Contains(l.TargetSlug) && p.Id != pageId
                      orderby p.Title
                      select new WikiLinkInfo(p.Slug, p.Title, l.TargetSlug))
            .Distinct()
            .ToListAsync(ct);
    }

    /// <summary>Links to pages that do not exist (and never did under that slug).</summary>
    public async Task<IReadOnlyList<WikiLinkInfo>> BrokenLinksAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from l in db.Set<WikiLink>()
                      join p in db.Set<WikiPage>() on l.PageId equals p.Id
                      where !db.Set<WikiPage>().Any(t => t.Slug == l.TargetSlug)
                            && !db.Set<WikiRedirect>().Any(r => r.FromSlug == l.TargetSlug)
                      orderby p.Slug, l.TargetSlug
                      select new WikiLinkInfo(p.Slug, p.Title, l.TargetSlug))
            .ToListAsync(ct);
    }

    /// <summary>
    /// Where each <c>[[name]]</c> leads: the page at the address the name makes (directly or by
    /// redirect), else the page whose title is the name (case-insensitive; the first address on a
    /// tie). Names that lead nowhere are absent: the renderer marks them broken.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, string>> ResolveLinksAsync(IReadOnlyCollection<string> names, CancellationToken ct = default)
    {
        if (names.Count == 0)
        {
            return new Dictionary<string, string>();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ResolveLinksAsync(db, names, ct);
    }

    private static async Task<Dictionary<string, string>> ResolveLinksAsync(OpsDbContext db, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var slugs = names.Select(WikiSlug.From).Distinct(StringComparer.Ordinal).ToList();
        var titles = names.Select(n => n.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        var existing = (await db.Set<WikiPage>().Where(p => slugs.Contains(p.Slug)).Select(p => p.Slug)
            .Concat(db.Set<WikiRedirect>().Where(r => slugs.Contains(r.FromSlug)).Select(r => r.FromSlug))
            .ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var byTitle = (await db.Set<WikiPage>().Where(p => titles.Contains(p.Title.ToLower()))
                .OrderBy(p => p.Slug).Select(p => new { p.Title, p.Slug }).ToListAsync(ct))
            .GroupBy(p => p.Title.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Slug, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var slug = WikiSlug.From(name);
            if (existing.Contains(slug))
            {
                resolved[name] = slug;
            }
            else if (byTitle.TryGetValue(name.Trim().ToLowerInvariant(), out var titled))
            {
                resolved[name] = titled;
            }
        }
        return resolved;
    }

    public async Task<IReadOnlyList<WikiPageSummary>> RecentAsync(int limit = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pages = await WithoutBody(db.Set<WikiPage>().AsNoTracking().OrderByDescending(p => p.UpdatedAt).Take(Math.Clamp(limit, 1, 200))).ToListAsync(ct);
        return pages.Select(Summary).ToList();
    }

    /// <summary>The runbooks that name <paramref name="service"/>, most recently edited first. Incidents and alerts list these.</summary>
    public async Task<IReadOnlyList<WikiPageSummary>> RunbooksForServiceAsync(string service, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pages = await WithoutBody(db.Set<WikiPage>().AsNoTracking()
            .Where(p => p.Services.Contains(service))
            .OrderByDescending(p => p.UpdatedAt))
            .ToListAsync(ct);
        return pages.Select(Summary).ToList();
    }

    /// <summary>
    /// The subject ids (<see cref="WikiEventKinds.SubjectType"/> events carry the page id) of the pages
    /// that name any of <paramref name="services"/>: how an incident's timeline finds its runbooks' changes.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunbookSubjectIdsAsync(IReadOnlyCollection<string> services, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = await db.Set<WikiPage>().AsNoTracking()
            .Where(p => p.Services.Any(s => services.Contains(s))).Select(p => p.Id).ToListAsync(ct);
        return ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Runbooks (pages that name a service) not edited for <see cref="WikiOptions.StaleAfterMonths"/> months, oldest first.</summary>
    public async Task<IReadOnlyList<WikiPageSummary>> StaleRunbooksAsync(int limit = 50, CancellationToken ct = default)
    {
        var cutoff = StaleCutoff();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var pages = await WithoutBody(db.Set<WikiPage>().AsNoTracking()
            .Where(p => p.Services.Count > 0 && p.UpdatedAt < cutoff)
            .OrderBy(p => p.UpdatedAt)
            .Take(Math.Clamp(limit, 1, 500)))
            .ToListAsync(ct);
        return pages.Select(Summary).ToList();
    }

    /// <summary>
    /// One level of the page tree under <paramref name="prefix"/> (null for the top): each next
    /// segment, the page there if there is one, and how many pages lie below it.
    /// </summary>
    public async Task<IReadOnlyList<WikiTreeNode>> TreeAsync(string? prefix, CancellationToken ct = default)
    {
        var start = string.IsNullOrEmpty(prefix) ? "" : prefix + "/";
        // Grouped in the database: the top level of 10,000 pages is a few dozen rows, not 10,000.
        await using var cmd = dataSource.CreateCommand("""
            SELECT split_part(rest, '/', 1) AS segment,
                   max(title) FILTER (WHERE strpos(rest, '/') = 0) AS title,
                   count(*) FILTER (WHERE strpos(rest, '/') > 0) AS descendants
            FROM (SELECT substr(slug, $2) AS rest, title FROM wiki_pages WHERE starts_with(slug, $1)) p
            GROUP BY 1 ORDER BY 1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = start });
        cmd.Parameters.Add(new NpgsqlParameter { Value = start.Length + 1 });
        var nodes = new List<WikiTreeNode>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var segment = reader.GetString(0);
            nodes.Add(new WikiTreeNode(start + segment, segment, reader.IsDBNull(1) ? null : reader.GetString(1), (int)reader.GetInt64(2)));
        }
        return nodes;
    }

    public async Task<(string ContentType, byte[] Data)?> ImageAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var image = await db.Set<WikiImage>().AsNoTracking().Where(i => i.Id == id)
            .Select(i => new { i.ContentType, i.Data }).SingleOrDefaultAsync(ct);
        return image is null ? null : (image.ContentType, image.Data);
    }

    /// <summary>Lists need everything but the body, which can be large.</summary>
    private static IQueryable<WikiPage> WithoutBody(IQueryable<WikiPage> pages) => pages.Select(p => new WikiPage
    {
        Id = p.Id,
        Slug = p.Slug,
        Title = p.Title,
        Body = "",
        Revision = p.Revision,
        Services = p.Services,
        IsDemo = p.IsDemo,
        CreatedAt = p.CreatedAt,
        UpdatedAt = p.UpdatedAt,
        UpdatedBy = p.UpdatedBy,
    });

    private DateTimeOffset StaleCutoff() => clock.GetUtcNow().AddMonths(-Math.Max(1, options.Value.StaleAfterMonths));

    private bool IsStale(WikiPage page) => page.Services.Count > 0 && page.UpdatedAt < StaleCutoff();

    private WikiPageView View(WikiPage p) =>
        new(p.Id, p.Slug, p.Title, p.Body, p.Revision, p.Services, p.UpdatedAt, p.UpdatedBy, p.IsDemo, IsStale(p));

    private WikiPageSummary Summary(WikiPage p) =>
        new(p.Slug, p.Title, p.Revision, p.Services, p.UpdatedAt, p.UpdatedBy, p.IsDemo, IsStale(p));
}
