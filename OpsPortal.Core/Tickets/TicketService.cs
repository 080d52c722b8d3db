using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Tickets;

/// <summary>
/// Tickets as people use them (pages and API). A singleton; each call is its own unit of work on a
/// fresh context (ADR-001), so a long-lived Blazor circuit never holds stale tracked entities. Role
/// checks happen in the web layer before any call; this class enforces the ticket rules and says no
/// with a <see cref="Refusal"/> (<see cref="TicketRefusals"/>), having changed nothing. A service set by a
/// person must be one of the catalog's (<see cref="IServiceNames"/>), as Jira's Components are; tickets made
/// by deploys, incidents and alerts (<see cref="TicketHook"/>) carry the service of their subject unchecked.
/// </summary>
public sealed partial class TicketService(IDbContextFactory<OpsDbContext> dbFactory, TicketOperations ops, EventLog events, TimeProvider clock,
    IServiceNames catalog)
{
    public async Task<Result<Ticket>> CreateAsync(NewTicket draft, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (await CheckServiceAsync(draft.Service, null, ct) is { } unknown)
        {
            return unknown;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await CheckAssigneeAsync(db, draft.Assignee, ct)).TryGet(out var assignee, out var refusal))
        {
            return refusal;
        }
        var created = await ops.CreateAsync(db, draft with { Assignee = assignee }, actor, ct);
        if (created.Succeeded)
        {
            await db.SaveChangesAsync(ct);
        }
        return created;
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
    /// otherwise a Conflict refusal listing the changes made since (<see cref="TicketRefusals.TryGetConflict"/>).
    /// </summary>
    public async Task<Result<Ticket>> UpdateAsync(string key, TicketEdit edit, int expectedVersion, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        if (ticket.RowVersion != expectedVersion)
        {
            return await ConflictAsync(db, ticket, expectedVersion, ct);
        }
        if (edit.Service is { } service && await CheckServiceAsync(service.Value, ticket.Service, ct) is { } unknown)
        {
            return unknown;
        }
        if (!(await ApplyAsync(db, ticket, edit, ct)).TryGet(out var changes, out refusal))
        {
            return refusal;
        }
        if (edit.Status is { } status && status != ticket.Status && ops.ChangeStatus(db, ticket, status, actor).Refusal is { } moveRefused)
        {
            return moveRefused;
        }
        ops.RecordUpdate(db, ticket, actor, changes);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            return (await LoadAsync(fresh, key, ct)).TryGet(out var current, out refusal)
                ? await ConflictAsync(fresh, current, expectedVersion, ct)
                : refusal;
        }
        return ticket;
    }

    public async Task<Result<TicketComment>> AddCommentAsync(string key, string body, Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        var comment = ops.AddComment(db, ticket, body, actor);
        if (comment.Succeeded)
        {
            await db.SaveChangesAsync(ct);
        }
        return comment;
    }

    /// <summary>Only the author edits a comment; the previous body is kept as a revision.</summary>
    public async Task<Result<TicketComment>> EditCommentAsync(string key, long commentId, string body, Actor actor, CancellationToken ct = default)
    {
        if (TicketOperations.CheckComment(body) is { } invalid)
        {
            return invalid;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        var comment = await db.Set<TicketComment>().SingleOrDefaultAsync(c => c.Id == commentId && c.TicketId == ticket.Id, ct);
        if (comment is null)
        {
            return TicketRefusals.Invalid("comment", $"{ticket.Key} has no comment {commentId}.");
        }
        if (comment.Author != actor.Name)
        {
            return TicketRefusals.Invalid("comment", "Only the author can edit a comment.");
        }
        if (comment.Body == body)
        {
            return comment;
        }
        var now = clock.GetUtcNow();
        comment.Revisions.Add(new TicketCommentRevision { Body = comment.Body, ReplacedAt = now, ReplacedBy = actor.Name });
        comment.Body = body;
        comment.EditedAt = now;
        events.Append(db, actor.Name, TicketEventKinds.CommentEdited, TicketEventKinds.SubjectType, ticket.Key,
            $"{actor.Name} edited a comment on {ticket.Key}", ticket.Service,
            new { commentId, mentions = Mentions.In(body).Except(Mentions.In(comment.Revisions[^1].Body)).ToList() });
        await db.SaveChangesAsync(ct);
        return comment;
    }

    public async Task<Result<TicketLink>> AddLinkAsync(string key, string kind, string targetType, string targetId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        var link = await ops.LinkAsync(db, ticket, kind, targetType, targetId, actor, ct);
        if (link.Succeeded)
        {
            await db.SaveChangesAsync(ct);
        }
        return link;
    }

    /// <summary>Removes a link shown on <paramref name="key"/>'s page, whichever side stores it.</summary>
    public async Task<Result> RemoveLinkAsync(string key, long linkId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        var link = await db.Set<TicketLink>().SingleOrDefaultAsync(l => l.Id == linkId
            && (l.TicketId == ticket.Id || (l.TargetType == TicketLinkTargets.Ticket && l.TargetId == ticket.Key)), ct);
        if (link is null)
        {
            return TicketRefusals.Invalid("link", $"{ticket.Key} has no link {linkId}.");
        }
        db.Remove(link);
        events.Append(db, actor.Name, TicketEventKinds.Unlinked, TicketEventKinds.SubjectType, ticket.Key,
            $"{actor.Name} removed the link {TicketLinkKinds.Describe(link.Kind)} {link.TargetType} {link.TargetId} from {ticket.Key}",
            ticket.Service, new { link.Kind, link.TargetType, link.TargetId });
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    public async Task<Result> SetWatchingAsync(string key, Actor actor, bool watching, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!(await LoadAsync(db, key, ct)).TryGet(out var ticket, out var refusal))
        {
            return refusal;
        }
        var user = actor.Name;
        var current = ticket.Watchers.FirstOrDefault(w => w.UserEmail == user);
        if (watching == current is not null)
        {
            return Result.Ok;
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
        return Result.Ok;
    }

    /// <summary>The ticket's history, oldest first: every event on the spine about it.</summary>
    public async Task<List<OpsEvent>> ActivityAsync(string key, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Events.AsNoTracking()
            .Where(e => e.SubjectType == TicketEventKinds.SubjectType && e.SubjectId == key)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Applies one change to each ticket, part by part: a part the ticket refuses (a workflow move it cannot
    /// make) is reported for that ticket and the other parts (assignee, labels) are still applied.
    /// </summary>
    public async Task<Result<BulkResult>> BulkUpdateAsync(IReadOnlyCollection<string> keys, BulkEdit edit, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        Set<string?>? assignee = null;
        if (edit.Assignee is { } a)
        {
            if (!(await CheckAssigneeAsync(db, a.Value, ct)).TryGet(out var email, out var refusal))
            {
                return refusal;
            }
            assignee = new Set<string?>(email);
        }
        if (edit.Service is { } service && await CheckServiceAsync(service.Value, null, ct) is { } unknown)
        {
            return unknown;
        }
        if (TicketRules.NormalizeLabels(edit.AddLabels, out var add) is { } labelError)
        {
            return TicketRefusals.Invalid("labels", labelError);
        }
        TicketRules.NormalizeLabels(edit.RemoveLabels, out var remove);
        var normalized = keys.Select(TicketRules.NormalizeKey).OfType<string>().Distinct().ToList();
        var tickets = await db.Set<Ticket>().Include(t => t.Watchers).Where(t => normalized.Contains(t.Key)).ToListAsync(ct);
        var changed = new List<string>();
        var skipped = normalized.Except(tickets.Select(t => t.Key)).ToDictionary(k => k, _ => "No such ticket.");
        foreach (var ticket in tickets.OrderBy(t => t.Number))
        {
            var moves = edit.Status is { } to && to != ticket.Status;
            if (moves && !TicketWorkflow.CanMove(ticket.Status, edit.Status!.Value))
            {
                skipped[ticket.Key] = TicketRefusals.Workflow(ticket.Status, edit.Status!.Value).Detail;
                moves = false;
            }
            var labels = ticket.Labels.Except(remove).Concat(add).Distinct().ToList();
            if (!(await ApplyAsync(db, ticket, new TicketEdit { Assignee = assignee, Labels = labels, Service = edit.Service }, ct)).TryGet(out var fields, out var refused))
            {
                skipped[ticket.Key] = refused.Detail;
                continue;
            }
            if (moves && ops.ChangeStatus(db, ticket, edit.Status!.Value, actor).Refusal is { } moveRefused)
            {
                skipped[ticket.Key] = moveRefused.Detail;
                moves = false;
            }
            if (fields.Count == 0 && !moves)
            {
                continue;
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

    private static async Task<Result<Ticket>> LoadAsync(OpsDbContext db, string key, CancellationToken ct)
    {
        if (TicketRules.NormalizeKey(key) is not { } normalized)
        {
            return TicketRefusals.NotFound(key);
        }
        return await db.Set<Ticket>().Include(t => t.Watchers).SingleOrDefaultAsync(t => t.Key == normalized, ct) is { } ticket
            ? ticket
            : TicketRefusals.NotFound(normalized);
    }

    private static async Task<Refusal> ConflictAsync(OpsDbContext db, Ticket current, int expectedVersion, CancellationToken ct)
    {
        var recent = await db.Events.AsNoTracking()
            .Where(e => e.SubjectType == TicketEventKinds.SubjectType && e.SubjectId == current.Key
                && (e.Kind == TicketEventKinds.Updated || e.Kind == TicketEventKinds.StatusChanged))
            .OrderBy(e => e.Id).ToListAsync(ct);
        var missed = recent.Select(TicketChangeRecord.FromEvent).OfType<TicketChangeRecord>()
            .Where(r => r.Version > expectedVersion).ToList();
        return TicketRefusals.Conflict(current, expectedVersion, missed);
    }

    /// <summary>
    /// A service set by a person must name one of the catalog's; clearing it, or keeping the value a ticket
    /// already has (free text from before the catalog), is always fine. Null when fine.
    /// </summary>
    private async Task<Refusal?> CheckServiceAsync(string? service, string? current, CancellationToken ct)
    {
        var value = string.IsNullOrWhiteSpace(service) ? null : service.Trim();
        if (value is null || value == current)
        {
            return null;
        }
        var names = await catalog.NamesAsync(ct);
        return names.Contains(value, StringComparer.Ordinal) ? null : TicketRefusals.Invalid("service", TicketRules.UnknownService(value, names));
    }

    /// <summary>An assignee must be an enabled user; the stored email, or null to unassign.</summary>
    private static async Task<Result<string?>> CheckAssigneeAsync(OpsDbContext db, string? email, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return (string?)null;
        }
        var normalized = email.Trim().ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized && !u.IsDisabled).Select(u => u.Email).SingleOrDefaultAsync(ct) is { } found
            ? found
            : TicketRefusals.Invalid("assignee", $"There is no active user {email.Trim()} to assign.");
    }
}
