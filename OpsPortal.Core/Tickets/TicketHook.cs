using OpsPortal.Core.Data;

namespace OpsPortal.Core.Tickets;

/// <summary>
/// What a deploy, an incident or an alert asks of a ticket: create one for it
/// (<c>Type</c> <c>deploy|incident|alert</c>, <c>Priority</c> <c>P1..P4</c>), linked to
/// (<c>SubjectType</c>, <c>SubjectId</c>), e.g. (<c>deploy</c>, <c>"42"</c>).
/// </summary>
public sealed record LinkedTicketRequest(string Type, string Title, string Description, string? Service,
    string Priority, string SubjectType, string SubjectId);

/// <summary>
/// "Ticket, or it didn't happen", enforced in one place: the deploys, incidents and alerts features
/// create and link their tickets through here. Scoped, on the request's <see cref="OpsDbContext"/>,
/// and it never saves: the caller's entity, the ticket and their events commit together in the
/// caller's <c>SaveChangesAsync</c>. A concurrent edit of the same ticket surfaces there as
/// <see cref="Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"/> (nothing lost silently).
/// Bad input throws <see cref="TicketValidationException"/>.
/// </summary>
public sealed class TicketHook(OpsDbContext db, TicketOperations ops)
{
    private static readonly TicketType[] HookTypes = [TicketType.Deploy, TicketType.Incident, TicketType.Alert];

    /// <summary>Creates a ticket and its link to (SubjectType, SubjectId). No SaveChanges.</summary>
    public async Task<Ticket> CreateForAsync(LinkedTicketRequest request, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TicketRules.TryParseType(request.Type, out var type) || !HookTypes.Contains(type))
        {
            throw new TicketValidationException("type", $"A linked ticket's type must be deploy, incident or alert, not '{request.Type}'.");
        }
        if (!TicketRules.TryParsePriority(request.Priority, out var priority))
        {
            throw new TicketValidationException("priority", $"Priority must be P1, P2, P3 or P4, not '{request.Priority}'.");
        }
        var subjectType = CheckSubjectType(request.SubjectType);
        var ticket = await ops.CreateAsync(db, new NewTicket(request.Title, request.Description, type, priority, request.Service), actor, ct);
        await ops.LinkAsync(db, ticket, TicketLinkKinds.RelatesTo, subjectType, request.SubjectId, actor, ct);
        return ticket;
    }

    /// <summary>Links an existing ticket (e.g. "OPS-12") to the subject. Throws <see cref="TicketNotFoundException"/> when unknown. No SaveChanges.</summary>
    public async Task<Ticket> LinkAsync(string ticketKey, string subjectType, string subjectId, string actor, CancellationToken ct = default)
    {
        var type = CheckSubjectType(subjectType);
        var ticket = await TicketOperations.FindAsync(db, ticketKey, ct) ?? throw new TicketNotFoundException(ticketKey);
        await ops.LinkAsync(db, ticket, TicketLinkKinds.RelatesTo, type, subjectId, actor, ct);
        return ticket;
    }

    /// <summary>
    /// Success resolves the ticket (when its workflow allows; an already resolved or closed one
    /// stays so) and adds <paramref name="comment"/>. Failure adds the comment, flagged, and reopens
    /// a resolved or closed ticket: the work it tracked is not done. No SaveChanges.
    /// </summary>
    public async Task RecordOutcomeAsync(string ticketKey, bool success, string comment, string actor, CancellationToken ct = default)
    {
        var ticket = await TicketOperations.FindAsync(db, ticketKey, ct) ?? throw new TicketNotFoundException(ticketKey);
        var body = success ? comment : "**Failed:** " + comment;
        if (!string.IsNullOrWhiteSpace(comment))
        {
            ops.AddComment(db, ticket, body, actor);
        }
        if (success && TicketWorkflow.CanMove(ticket.Status, TicketStatus.Resolved))
        {
            ops.ChangeStatus(db, ticket, TicketStatus.Resolved, actor);
        }
        else if (!success && !ticket.IsOpen)
        {
            ops.ChangeStatus(db, ticket, TicketStatus.Open, actor);
        }
    }

    private static string CheckSubjectType(string subjectType)
    {
        var type = subjectType?.Trim().ToLowerInvariant() ?? "";
        return type is TicketLinkTargets.Deploy or TicketLinkTargets.Incident or TicketLinkTargets.Alert or TicketLinkTargets.Wiki
            ? type
            : throw new TicketValidationException("subjectType", $"A ticket links to a deploy, incident, alert or wiki page, not '{subjectType}'.");
    }
}
