using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Tickets;

/// <summary>
/// Tickets as people use them (pages and API). Each call is its own unit of work on a fresh
/// context, so a long-lived Blazor circuit never holds stale tracked entities. Role checks happen
/// in the web layer before any call; this class enforces the ticket rules.
/// </summary>
public sealed partial class TicketService(IDbContextFactory<OpsDbContext> dbFactory, TicketOperations ops, EventLog events, TimeProvider clock)
{
    public async Task<Ticket> CreateAsync(NewTicket draft, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignee = await CheckAssigneeAsync(db, draft.Assignee, ct);
        var ticket = await ops.CreateAsync(db, draft with { Assignee = assignee }, actor, ct);
        await db.SaveChangesAsync(ct);
        return ticket;
    }

    public async Task<Ticket?> FindAsync(string key, CancellationToken ct = default)
    {
        var normalized = TicketRules.NormalizeKey(key);
        if (normalized is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Ticket>().AsNoTracking().SingleOrDefaultAsync(t => t.Key == normalized, ct);
    }

    public async Task<TicketDetails?> GetAsync(string key, CancellationToken ct = default)
    {
        var normalized = TicketRules.NormalizeKey(key);
        if (normalized is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await db.Set<Ticket>().AsNoTracking().AsSplitQuery()
            .Include(t => t.Links).Include(t => t.Watchers)
            .Include(t => t.Comments.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)).ThenInclude(c => c.Revisions)
            .SingleOrDefaultAsync(t => t.Key == normalized, ct);
        if (ticket is null)
        {
            return null;
        }
        var incoming = await db.Set<TicketLink>().AsNoTracking()
            .Where(l => l.TargetType == TicketLinkTargets.Ticket && l.TargetId == ticket.Key)
            .Join(db.Set<Ticket>(), l => l.TicketId, t => t.Id, (l, t) => new { l.Id, l.Kind, t.Key, t.Title, t.Status })
            .ToListAsync(ct);
        var targetKeys = ticket.Links.Where(l => l.TargetType == TicketLinkTargets.Ticket).Select(l => l.TargetId).ToList();
        var targets = await db.Set<Ticket>().AsNoTracking().Where(t => targetKeys.Contains(t.Key))
            .ToDictionaryAsync(t => t.Key, t => new { t.Title, t.Status }, ct);
        var links = ticket.Links.OrderBy(l => l.CreatedAt)
            .Select(l => targets.TryGetValue(l.TargetId, out var t) && l.TargetType == TicketLinkTargets.Ticket
                ? new TicketLinkView(l.Id, l.Kind, l.TargetType, l.TargetId, t.Title, t.Status, false)
                : new TicketLinkView(l.Id, l.Kind, l.TargetType, l.TargetId, null, null, false))
            .Concat(incoming.Select(l => new TicketLinkView(l.Id, TicketLinkKinds.Inverse(l.Kind), TicketLinkTargets.Ticket, l.Key, l.Title, l.Status, true)))
            .ToList();
        return new TicketDetails(ticket, ticket.Comments, links, ticket.Watchers.Select(w => w.UserEmail).Order().ToList());
    }

    /// <summary>
    /// Applies <paramref name="edit"/> if the ticket is still at <paramref name="expectedVersion"/>;
    /// otherwise throws <see cref="TicketConflictException"/> listing the changes made since.
    /// </summary>
    public async Task<Ticket> UpdateAsync(string key, TicketEdit edit, int expectedVersion, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        if (ticket.RowVersion != expectedVersion)
        {
            throw await ConflictAsync(db, ticket, expectedVersion, ct);
        }
        var changes = await ApplyAsync(db, ticket, edit, ct);
        if (edit.Status is { } status && status != ticket.Status)
        {
            ops.ChangeStatus(db, ticket, status, actor);
        }
        ops.RecordUpdate(db, ticket, actor, changes);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            throw await ConflictAsync(fresh, await LoadAsync(fresh, key, ct), expectedVersion, ct);
        }
        return ticket;
    }

    public async Task<TicketComment> AddCommentAsync(string key, string body, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        var comment = ops.AddComment(db, ticket, body, actor);
        await db.SaveChangesAsync(ct);
        return comment;
    }

    /// <summary>Only the author edits a comment; the previous body is kept as a revision.</summary>
    public async Task<TicketComment> EditCommentAsync(string key, long commentId, string body, string actor, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(body) || TicketRules.CheckBody(body, "comment") is not null)
        {
            throw new TicketValidationException("body", TicketRules.CheckBody(body, "comment") ?? "A comment cannot be empty.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        var comment = await db.Set<TicketComment>().SingleOrDefaultAsync(c => c.Id == commentId && c.TicketId == ticket.Id, ct)
            ?? throw new TicketValidationException("comment", $"{ticket.Key} has no comment {commentId}.");
        if (comment.Author != actor)
        {
            throw new TicketValidationException("comment", "Only the author can edit a comment.");
        }
        if (comment.Body == body)
        {
            return comment;
        }
        var now = clock.GetUtcNow();
        comment.Revisions.Add(new TicketCommentRevision { Body = comment.Body, ReplacedAt = now, ReplacedBy = actor });
        comment.Body = body;
        comment.EditedAt = now;
        events.Append(db, actor, TicketEventKinds.CommentEdited, TicketEventKinds.SubjectType, ticket.Key,
            $"{actor} edited a comment on {ticket.Key}", ticket.Service, new { commentId });
        await db.SaveChangesAsync(ct);
        return comment;
    }

    public async Task<TicketLink> AddLinkAsync(string key, string kind, string targetType, string targetId, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        var link = await ops.LinkAsync(db, ticket, kind, targetType, targetId, actor, ct);
        await db.SaveChangesAsync(ct);
        return link;
    }

    /// <summary>Removes a link shown on <paramref name="key"/>'s page, whichever side stores it.</summary>
    public async Task RemoveLinkAsync(string key, long linkId, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        var link = await db.Set<TicketLink>().SingleOrDefaultAsync(l => l.Id == linkId
            && (l.TicketId == ticket.Id || (l.TargetType == TicketLinkTargets.Ticket && l.TargetId == ticket.Key)), ct)
            ?? throw new TicketValidationException("link", $"{ticket.Key} has no link {linkId}.");
        db.Remove(link);
        events.Append(db, actor, TicketEventKinds.Unlinked, TicketEventKinds.SubjectType, ticket.Key,
            $"{actor} removed the link {TicketLinkKinds.Describe(link.Kind)} {link.TargetType} {link.TargetId} from {ticket.Key}",
            ticket.Service, new { link.Kind, link.TargetType, link.TargetId });
        await db.SaveChangesAsync(ct);
    }

    public async Task SetWatchingAsync(string key, string user, bool watching, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await LoadAsync(db, key, ct);
        var current = ticket.Watchers.FirstOrDefault(w => w.UserEmail == user);
        if (watching == current is not null)
        {
            return;
        }
        if (watching)
        {
            ticket.Watchers.Add(new TicketWatcher { UserEmail = user });
        }
        else
        {
            ticket.Watchers.Remove(current!);
        }
        events.Append(db, user, watching ? TicketEventKinds.Watched : TicketEventKinds.Unwatched, TicketEventKinds.SubjectType,
            ticket.Key, $"{user} {(watching ? "started" : "stopped")} watching {ticket.Key}", ticket.Service);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The ticket's history, oldest first: every event on the spine about it.</summary>
    public async Task<List<OpsEvent>> ActivityAsync(string key, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking()
            .Where(e => e.SubjectType == TicketEventKinds.SubjectType && e.SubjectId == key)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(ct);
    }

    /// <summary>Applies one change to each ticket; a ticket the change does not fit (e.g. a workflow move) is skipped with the reason.</summary>
    public async Task<BulkResult> BulkUpdateAsync(IReadOnlyCollection<string> keys, BulkEdit edit, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assignee = edit.Assignee is { } a ? new Set<string?>(await CheckAssigneeAsync(db, a.Value, ct)) : null;
        Check("labels", TicketRules.NormalizeLabels(edit.AddLabels, out var add));
        TicketRules.NormalizeLabels(edit.RemoveLabels, out var remove);
        var normalized = keys.Select(TicketRules.NormalizeKey).OfType<string>().Distinct().ToList();
        var tickets = await db.Set<Ticket>().Include(t => t.Watchers).Where(t => normalized.Contains(t.Key)).ToListAsync(ct);
        var changed = new List<string>();
        var skipped = normalized.Except(tickets.Select(t => t.Key)).ToDictionary(k => k, _ => "No such ticket.");
        foreach (var ticket in tickets.OrderBy(t => t.Number))
        {
            if (edit.Status is { } status && status != ticket.Status && !TicketWorkflow.CanMove(ticket.Status, status))
            {
                skipped[ticket.Key] = new TicketWorkflowException(ticket.Status, status).Message;
                continue;
            }
            var labels = ticket.Labels.Except(remove).Concat(add).Distinct().ToList();
            var fields = await ApplyAsync(db, ticket, new TicketEdit { Assignee = assignee, Labels = labels }, ct);
            var moves = edit.Status is { } to && to != ticket.Status;
            if (fields.Count == 0 && !moves)
            {
                continue;
            }
            if (moves)
            {
                ops.ChangeStatus(db, ticket, edit.Status!.Value, actor);
            }
            ops.RecordUpdate(db, ticket, actor, fields);
            changed.Add(ticket.Key);
        }
        await db.SaveChangesAsync(ct);
        return new BulkResult(changed, skipped);
    }

    /// <summary>Emails of the users a ticket can be assigned to (enabled ones), for pickers.</summary>
    public async Task<List<string>> AssignableUsersAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => !u.IsDisabled && u.Email != null).OrderBy(u => u.Email).Select(u => u.Email!).ToListAsync(ct);
    }

    private static async Task<Ticket> LoadAsync(OpsDbContext db, string key, CancellationToken ct)
    {
        var normalized = TicketRules.NormalizeKey(key) ?? throw new TicketNotFoundException(key);
        return await db.Set<Ticket>().Include(t => t.Watchers).SingleOrDefaultAsync(t => t.Key == normalized, ct)
            ?? throw new TicketNotFoundException(normalized);
    }

    private static async Task<TicketConflictException> ConflictAsync(OpsDbContext db, Ticket current, int expectedVersion, CancellationToken ct)
    {
        var recent = await db.Events.AsNoTracking()
            .Where(e => e.SubjectType == TicketEventKinds.SubjectType && e.SubjectId == current.Key
                && (e.Kind == TicketEventKinds.Updated || e.Kind == TicketEventKinds.StatusChanged))
            .OrderBy(e => e.Id).ToListAsync(ct);
        var missed = recent.Select(TicketChangeRecord.FromEvent).OfType<TicketChangeRecord>()
            .Where(r => r.Version > expectedVersion).ToList();
        return new TicketConflictException(current, expectedVersion, missed);
    }

    private static void Check(string field, string? error)
    {
        if (error is not null)
        {
            throw new TicketValidationException(field, error);
        }
    }

    /// <summary>An assignee must be an enabled user; returns the stored email, or null to unassign.</summary>
    private static async Task<string?> CheckAssigneeAsync(OpsDbContext db, string? email, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }
        var normalized = email.Trim().ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized && !u.IsDisabled).Select(u => u.Email).SingleOrDefaultAsync(ct)
            ?? throw new TicketValidationException("assignee", $"There is no active user {email.Trim()} to assign.");
    }
}
