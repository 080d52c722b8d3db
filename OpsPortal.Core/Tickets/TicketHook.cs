using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Tickets;

/// <summary>
/// What a deploy, an incident or an alert asks of a ticket: create one for it
/// (<c>Type</c> <c>deploy|incident|alert|task</c>, <c>Priority</c> <c>P1..P4</c>), linked to
/// (<c>SubjectType</c>, <c>SubjectId</c>), e.g. (<c>deploy</c>, <c>"42"</c>).
/// </summary>
public sealed record LinkedTicketRequest(string Type, string Title, string Description, string? Service,
    string Priority, string SubjectType, string SubjectId);

/// <summary>The ticket a hook call created or linked.</summary>
public sealed record LinkedTicket(string Key);

/// <summary>
/// "Ticket, or it didn't happen", enforced in one place: the deploys, incidents and alerts features
/// create and link their tickets through here. Inject it (a singleton) and pass the
/// <see cref="OpsDbContext"/> of your own operation: it never saves, so the caller's entity, the
/// ticket and their events commit together in the caller's <c>SaveChangesAsync</c>. A concurrent
/// edit of the same ticket surfaces there as
/// <see cref="Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"/> (nothing lost silently).
/// Bad input and unknown tickets come back as refusals (<see cref="TicketRefusals"/>).
/// </summary>
public sealed class TicketHook(TicketOperations ops)
{
    // Task: an incident's action items (follow-up work, not the incident itself).
    private static readonly TicketType[] HookTypes = [TicketType.Deploy, TicketType.Incident, TicketType.Alert, TicketType.Task];

    /// <summary>Creates a ticket and its link to (SubjectType, SubjectId). No SaveChanges.</summary>
    public async Task<Result<LinkedTicket>> CreateForAsync(OpsDbContext db, LinkedTicketRequest request, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TicketRules.TryParseType(request.Type, out var type) || !HookTypes.Contains(type))
        {
            return TicketRefusals.Invalid("type", $"A linked ticket's type must be deploy, incident, alert or task, not '{request.Type}'.");
        }
        if (!TicketRules.TryParsePriority(request.Priority, out var priority))
        {
            return TicketRefusals.Invalid("priority", $"Priority must be P1, P2, P3 or P4, not '{request.Priority}'.");
        }
        if (!TryCheckSubjectType(request.SubjectType, out var subjectType, out var refusal))
        {
            return refusal;
        }
        if (!(await ops.CreateAsync(db, new NewTicket(request.Title, request.Description, type, priority, request.Service), actor, ct))
            .TryGet(out var ticket, out refusal))
        {
            return refusal;
        }
        var link = await ops.LinkAsync(db, ticket, TicketLinkKinds.RelatesTo, subjectType, request.SubjectId, actor, ct);
        return link.Succeeded ? new LinkedTicket(ticket.Key) : link.Refusal;
    }

    /// <summary>Links an existing ticket (e.g. "OPS-12") to the subject; NotFound when there is no such ticket. No SaveChanges.</summary>
    public async Task<Result<LinkedTicket>> LinkAsync(OpsDbContext db, string ticketKey, string subjectType, string subjectId, Actor actor,
        CancellationToken ct = default)
    {
        if (!TryCheckSubjectType(subjectType, out var type, out var refusal))
        {
            return refusal;
        }
        if (await TicketOperations.FindAsync(db, ticketKey, ct) is not { } ticket)
        {
            return TicketRefusals.NotFound(ticketKey);
        }
        var link = await ops.LinkAsync(db, ticket, TicketLinkKinds.RelatesTo, type, subjectId, actor, ct);
        return link.Succeeded ? new LinkedTicket(ticket.Key) : link.Refusal;
    }

    /// <summary>
    /// Success resolves the ticket (when its workflow allows; an already resolved or closed one
    /// stays so) and adds <paramref name="comment"/>. Failure adds the comment, flagged, and reopens
    /// a resolved or closed ticket: the work it tracked is not done. NotFound when the ticket is gone. No SaveChanges.
    /// </summary>
    public async Task<Result> RecordOutcomeAsync(OpsDbContext db, string ticketKey, bool success, string comment, Actor actor,
        CancellationToken ct = default)
    {
        if (await TicketOperations.FindAsync(db, ticketKey, ct) is not { } ticket)
        {
            return TicketRefusals.NotFound(ticketKey);
        }
        var body = success ? comment : "**Failed:** " + comment;
        if (!string.IsNullOrWhiteSpace(comment) && ops.AddComment(db, ticket, body, actor).Refusal is { } refusal)
        {
            return refusal;
        }
        if (success && TicketWorkflow.CanMove(ticket.Status, TicketStatus.Resolved))
        {
            return ops.ChangeStatus(db, ticket, TicketStatus.Resolved, actor);
        }
        if (!success && !ticket.IsOpen)
        {
            return ops.ChangeStatus(db, ticket, TicketStatus.Open, actor);
        }
        return Result.Ok;
    }

    private static bool TryCheckSubjectType(string? subjectType, out string type, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out Refusal? refusal)
    {
        type = subjectType?.Trim().ToLowerInvariant() ?? "";
        refusal = type is TicketLinkTargets.Deploy or TicketLinkTargets.Incident or TicketLinkTargets.Alert or TicketLinkTargets.Wiki
            ? null
            : TicketRefusals.Invalid("subjectType", $"A ticket links to a deploy, incident, alert or wiki page, not '{subjectType}'.");
        return refusal is null;
    }
}
