using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Tickets;

/// <summary>
/// The ticket changes themselves, on the caller's <see cref="OpsDbContext"/>: each checks its input,
/// changes the tracked entities and appends its event, and none saves. <see cref="TicketHook"/> and
/// the ticket service behind the pages and the API both go through here, so a ticket made by a deploy and one made by a
/// person obey the same rules and leave the same trail. Input the rules refuse comes back as a
/// <see cref="Refusal"/> (<see cref="TicketRefusals"/>) before anything is changed.
/// </summary>
public sealed class TicketOperations(EventLog events, TimeProvider clock, IOptions<TicketsOptions> options)
{
    internal async Task<Result<Ticket>> CreateAsync(OpsDbContext db, NewTicket draft, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, string>();
        Check(errors, "title", TicketRules.CheckTitle(draft.Title));
        Check(errors, "description", TicketRules.CheckBody(draft.Description, "description"));
        Check(errors, "service", TicketRules.CheckService(draft.Service));
        Check(errors, "labels", TicketRules.NormalizeLabels(draft.Labels, out var labels));
        Check(errors, "type", Enum.IsDefined(draft.Type) ? null : "Unknown ticket type.");
        Check(errors, "priority", Enum.IsDefined(draft.Priority) ? null : "Priority must be P1, P2, P3 or P4.");
        if (errors.Count > 0)
        {
            return TicketRefusals.Invalid(errors);
        }

        var number = await db.Database.SqlQuery<long>($"SELECT nextval('ticket_numbers') AS \"Value\"").SingleAsync(ct);
        var now = clock.GetUtcNow();
        var ticket = new Ticket
        {
            Number = number,
            Key = $"{options.Value.KeyPrefix}-{number}",
            Title = draft.Title.Trim(),
            Description = draft.Description ?? "",
            Type = draft.Type,
            Priority = draft.Priority,
            Status = TicketStatus.Open,
            Service = string.IsNullOrWhiteSpace(draft.Service) ? null : draft.Service.Trim(),
            Assignee = string.IsNullOrWhiteSpace(draft.Assignee) ? null : draft.Assignee.Trim(),
            Reporter = actor.Name,
            Labels = labels,
            DueDate = draft.DueDate,
            CreatedAt = now,
            UpdatedAt = now,
        };
        ticket.Watchers.Add(new TicketWatcher { UserEmail = actor.Name });
        if (ticket.Assignee is not null && ticket.Assignee != actor.Name)
        {
            ticket.Watchers.Add(new TicketWatcher { UserEmail = ticket.Assignee });
        }
        db.Set<Ticket>().Add(ticket);
        events.Append(db, actor.Name, TicketEventKinds.Created, TicketEventKinds.SubjectType, ticket.Key,
            Clip($"{actor.Name} created {ticket.Key} ({ticket.Priority} {ticket.Type.ToString().ToLowerInvariant()}): {ticket.Title}"),
            ticket.Service, new
            {
                version = ticket.RowVersion,
                type = ticket.Type.ToString(),
                priority = ticket.Priority.ToString(),
                ticket.Assignee,
                mentions = Mentions.In(ticket.Description),
            });
        return ticket;
    }

    /// <summary>Moves the ticket along the workflow; refuses a move it does not allow (and changes nothing).</summary>
    internal Result ChangeStatus(OpsDbContext db, Ticket ticket, TicketStatus to, Actor actor)
    {
        if (!TicketWorkflow.CanMove(ticket.Status, to))
        {
            return TicketRefusals.Workflow(ticket.Status, to);
        }
        var change = new FieldChange("status", TicketValues.Of(ticket.Status), TicketValues.Of(to));
        ticket.Status = to;
        ticket.ResolvedAt = to switch
        {
            TicketStatus.Resolved => clock.GetUtcNow(),
            TicketStatus.Closed => ticket.ResolvedAt,
            _ => null,
        };
        Record(db, ticket, actor, TicketEventKinds.StatusChanged,
            $"{actor.Name} moved {ticket.Key} from {change.From} to {change.To}: {ticket.Title}", [change]);
        return Result.Ok;
    }

    /// <summary>Records field changes already applied to <paramref name="ticket"/> (no-op when there are none).</summary>
    internal void RecordUpdate(OpsDbContext db, Ticket ticket, Actor actor, IReadOnlyList<FieldChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        if (ticket.Assignee is { } assignee && changes.Any(c => c.Field == "assignee")
            && ticket.Watchers.All(w => w.UserEmail != assignee))
        {
            ticket.Watchers.Add(new TicketWatcher { UserEmail = assignee });
        }
        Record(db, ticket, actor, TicketEventKinds.Updated,
            $"{actor.Name} updated {ticket.Key}: " + string.Join(", ", changes.Select(c => c.Describe())), changes);
    }

    internal Result<TicketComment> AddComment(OpsDbContext db, Ticket ticket, string body, Actor actor)
    {
        if (CheckComment(body) is { } refusal)
        {
            return refusal;
        }
        var comment = new TicketComment { TicketId = ticket.Id, Author = actor.Name, Body = body, CreatedAt = clock.GetUtcNow() };
        ticket.Comments.Add(comment);
        events.Append(db, actor.Name, TicketEventKinds.Commented, TicketEventKinds.SubjectType, ticket.Key,
            Clip($"{actor.Name} commented on {ticket.Key}: {FirstLine(body)}"), ticket.Service, new { mentions = Mentions.In(body) });
        return comment;
    }

    /// <summary>Why a comment body is refused, or null.</summary>
    internal static Refusal? CheckComment(string? body) =>
        string.IsNullOrWhiteSpace(body) ? TicketRefusals.Invalid("body", "A comment cannot be empty.")
            : TicketRules.CheckBody(body, "comment") is { } error ? TicketRefusals.Invalid("body", error)
            : null;

    /// <summary>
    /// Links <paramref name="ticket"/> to a subject; returns the existing link when it is already there.
    /// A ticket target is given by key and must exist.
    /// </summary>
    internal async Task<Result<TicketLink>> LinkAsync(OpsDbContext db, Ticket ticket, string kind, string targetType, string targetId,
        Actor actor, CancellationToken ct = default)
    {
        if (!TicketLinkKinds.Creatable.Contains(kind))
        {
            return TicketRefusals.Invalid("kind", $"Unknown link kind '{kind}'. Use one of: {string.Join(", ", TicketLinkKinds.Creatable)}.");
        }
        if (!TicketLinkTargets.All.Contains(targetType))
        {
            return TicketRefusals.Invalid("targetType", $"Unknown link target '{targetType}'. Use one of: {string.Join(", ", TicketLinkTargets.All)}.");
        }
        targetId = targetId.Trim();
        if (targetId.Length is 0 or > 256)
        {
            return TicketRefusals.Invalid("targetId", "A link needs the id of what it points to (at most 256 characters).");
        }
        if (targetType == TicketLinkTargets.Ticket)
        {
            if (TicketRules.NormalizeKey(targetId) is not { } targetKey)
            {
                return TicketRefusals.NotFound(targetId);
            }
            if (targetKey == ticket.Key)
            {
                return TicketRefusals.Invalid("targetId", "A ticket cannot link to itself.");
            }
            if (await FindAsync(db, targetKey, ct) is null)
            {
                return TicketRefusals.NotFound(targetKey);
            }
            targetId = targetKey;
        }
        var existing = ticket.Links.FirstOrDefault(l => l.Kind == kind && l.TargetType == targetType && l.TargetId == targetId)
            ?? (ticket.Id == 0 ? null : await db.Set<TicketLink>().FirstOrDefaultAsync(
                l => l.TicketId == ticket.Id && l.Kind == kind && l.TargetType == targetType && l.TargetId == targetId, ct));
        if (existing is not null)
        {
            return existing;
        }
        var link = new TicketLink { Kind = kind, TargetType = targetType, TargetId = targetId, CreatedBy = actor.Name, CreatedAt = clock.GetUtcNow() };
        ticket.Links.Add(link);
        events.Append(db, actor.Name, TicketEventKinds.Linked, TicketEventKinds.SubjectType, ticket.Key,
            $"{actor.Name} linked {ticket.Key}: {TicketLinkKinds.Describe(kind)} {targetType} {targetId}", ticket.Service,
            new { kind, targetType, targetId });
        return link;
    }

    /// <summary>A ticket by key, tracked: one added earlier in this unit of work counts too.</summary>
    internal static async Task<Ticket?> FindAsync(OpsDbContext db, string key, CancellationToken ct = default)
    {
        var normalized = TicketRules.NormalizeKey(key);
        if (normalized is null)
        {
            return null;
        }
        return db.Set<Ticket>().Local.FirstOrDefault(t => t.Key == normalized)
            ?? await db.Set<Ticket>().FirstOrDefaultAsync(t => t.Key == normalized, ct);
    }

    private void Record(OpsDbContext db, Ticket ticket, Actor actor, string kind, string summary, IReadOnlyList<FieldChange> changes)
    {
        ticket.RowVersion++;
        ticket.UpdatedAt = clock.GetUtcNow();
        events.Append(db, actor.Name, kind, TicketEventKinds.SubjectType, ticket.Key, Clip(summary), ticket.Service,
            new { version = ticket.RowVersion, changes = changes.Select(c => new { field = c.Field, from = c.From, to = c.To }) });
    }

    private static void Check(Dictionary<string, string> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors[field] = error;
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Trim().Split('\n', 2)[0].Trim();
        return line.Length > 120 ? line[..120] + "…" : line;
    }

    private static string Clip(string summary) => summary.Length > 1000 ? summary[..999] + "…" : summary;
}
