using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>An acknowledgement that happened: the page as it is now.</summary>
public sealed record PageAcknowledged(Page Page);

/// <summary>
/// Acknowledging a page from the page's side: the signed one-click link (no sign-in: the token is the credential),
/// the app and the API. The page, the token and the subject (through its <see cref="IPageSubject"/>) change in one
/// transaction with the page's row locked, so two clicks, two nodes or an escalation at the same moment cannot
/// both win.
/// </summary>
public sealed class PageAcknowledgements(IDbContextFactory<OpsDbContext> dbs, Paging paging, IEnumerable<IPageSubject> subjects, TimeProvider clock)
{
    /// <summary>
    /// Acknowledges by link. Refused (409, with <c>state</c>) when the link was used (by whom, when), has expired, or
    /// the page was already acknowledged or resolved; 404 when no such link exists.
    /// </summary>
    public async Task<Result<PageAcknowledged>> AcknowledgeByTokenAsync(string? token, CancellationToken ct = default)
    {
        if (!AckTokens.LooksValid(token))
        {
            return UnknownLink();
        }
        var hash = AckTokens.Hash(token!);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var link = await db.Set<PageAckToken>().FromSql($"SELECT * FROM page_ack_tokens WHERE token_hash = {hash} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (link is null)
        {
            return UnknownLink();
        }
        var page = await LockAsync(db, link.PageId, ct);
        var now = clock.GetUtcNow();
        if (link.UsedAt is { } used)
        {
            return Refused("used", $"This link was already used by {link.Person} at {Utc(used)}.", page);
        }
        if (StateRefusal(page) is { } refusal)
        {
            return refusal;
        }
        if (now >= link.ExpiresAt)
        {
            return Refused("expired", $"This link expired at {Utc(link.ExpiresAt)}. Acknowledge page {page.Id} in the portal instead.", page);
        }
        link.UsedAt = now;
        await AcknowledgeAsync(db, page, link.Person, "link", now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PageAcknowledged(page);
    }

    /// <summary>Acknowledges in the app or through the API: Engineers, and anyone the page was sent to. Acknowledging twice changes nothing.</summary>
    public async Task<Result<PageAcknowledged>> AcknowledgeAsync(long pageId, Actor actor, string via, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var page = await db.Set<Page>().FromSql($"SELECT * FROM pages WHERE id = {pageId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (page is null)
        {
            return Refusal.NotFound($"There is no page {pageId}.");
        }
        if (!actor.Has(Roles.Engineer) && !await db.Set<PageNotification>().AnyAsync(n => n.PageId == pageId && n.Person == actor.Name, ct))
        {
            return Refusal.Forbidden("Acknowledging needs the Engineer role, or to be one of the people paged.");
        }
        if (page.Status == PageStatus.Acknowledged)
        {
            return new PageAcknowledged(page);
        }
        if (StateRefusal(page) is { } refusal)
        {
            return refusal;
        }
        await AcknowledgeAsync(db, page, actor.Name, via, clock.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PageAcknowledged(page);
    }

    /// <summary>What a link shows before it is used: the page (for the confirmation screen), or why it cannot be used.</summary>
    public async Task<Result<(Page Page, PageAckToken Link)>> InspectAsync(string? token, CancellationToken ct = default)
    {
        if (!AckTokens.LooksValid(token))
        {
            return UnknownLink();
        }
        var hash = AckTokens.Hash(token!);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var link = await db.Set<PageAckToken>().AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (link is null)
        {
            return UnknownLink();
        }
        var page = await db.Set<Page>().AsNoTracking().SingleAsync(p => p.Id == link.PageId, ct);
        return (page, link);
    }

    private async Task AcknowledgeAsync(OpsDbContext db, Page page, string person, string via, DateTimeOffset at, CancellationToken ct)
    {
        paging.Acknowledge(db, page, person, via, at);
        if (subjects.FirstOrDefault(s => s.SubjectType == page.SubjectType) is { } subject)
        {
            await subject.AcknowledgeAsync(db, page.SubjectId, person, at, ct);
        }
    }

    private static Refusal? StateRefusal(Page page) => page.Status switch
    {
        PageStatus.Acknowledged => Refused("acknowledged",
            $"Page {page.Id} was already acknowledged by {page.AcknowledgedBy} at {Utc(page.AcknowledgedAt!.Value)} ({page.AcknowledgedVia}).", page),
        PageStatus.Resolved => Refused("resolved", $"Page {page.Id} is closed: the {page.SubjectType} was resolved at {Utc(page.ResolvedAt!.Value)}. Nothing to acknowledge.", page),
        _ => null,
    };

    private static async Task<Page> LockAsync(OpsDbContext db, long id, CancellationToken ct) =>
        await db.Set<Page>().FromSql($"SELECT * FROM pages WHERE id = {id} FOR UPDATE").SingleAsync(ct);

    private static Refusal Refused(string state, string detail, Page page) =>
        Refusal.Conflict(detail, "Not acknowledged").With("state", state).With("pageId", page.Id);

    private static Refusal UnknownLink() =>
        Refusal.NotFound("This acknowledge link is not valid: check that the whole link was copied.", "Unknown link");

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
