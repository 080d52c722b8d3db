using OpsPortal.Core.Tickets;

namespace OpsPortal.Web.Features.Tickets;

public sealed record TicketSummaryResponse(string Key, string Title, string Type, string Status, string Priority, string? Assignee,
    IReadOnlyList<string> Labels, string? Service, DateOnly? DueDate, DateTimeOffset UpdatedAt, int Version)
{
    public static TicketSummaryResponse From(TicketRow r) => new(r.Key, r.Title, TicketApiNames.Of(r.Type), TicketWorkflow.Name(r.Status),
        r.Priority.ToString(), r.Assignee, r.Labels, r.Service, r.DueDate, r.UpdatedAt, r.RowVersion);
}

public sealed record TicketListResponse(IReadOnlyList<TicketSummaryResponse> Rows, int Total, int Page, int PageSize, int Pages);

public sealed record TicketCommentResponse(long Id, string Author, string Body, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, int Revisions)
{
    public static TicketCommentResponse From(TicketComment c) => new(c.Id, c.Author, c.Body, c.CreatedAt, c.EditedAt, c.Revisions.Count);
}

public sealed record TicketLinkResponse(long Id, string Kind, string TargetType, string TargetId, string? Title, string? Status);

public sealed record TicketResponse(string Key, string Title, string Description, string? DescriptionHtml, string Type, string Status,
    string Priority, string? Assignee, string Reporter, IReadOnlyList<string> Labels, string? Service, DateOnly? DueDate,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ResolvedAt, int Version,
    IReadOnlyList<string> NextStatuses, IReadOnlyList<TicketCommentResponse>? Comments, IReadOnlyList<TicketLinkResponse>? Links,
    IReadOnlyList<string>? Watchers)
{
    public static TicketResponse From(Ticket t, string? html = null, TicketDetails? details = null) => new(
        t.Key, t.Title, t.Description, html, TicketApiNames.Of(t.Type), TicketWorkflow.Name(t.Status), t.Priority.ToString(),
        t.Assignee, t.Reporter, t.Labels, t.Service, t.DueDate, t.CreatedAt, t.UpdatedAt, t.ResolvedAt, t.RowVersion,
        TicketWorkflow.NextFrom(t.Status).Select(TicketWorkflow.Name).ToList(),
        details?.Comments.Select(TicketCommentResponse.From).ToList(),
        details?.Links.Select(l => new TicketLinkResponse(l.Id, l.Kind, l.TargetType, l.TargetId, l.Title,
            l.Status is { } s ? TicketWorkflow.Name(s) : null)).ToList(),
        details?.Watchers);
}

public sealed record CreateTicketRequest(string? Title, string? Description, string? Type, string? Priority, string? Service,
    string? Assignee, IReadOnlyList<string>? Labels, DateOnly? DueDate);

public sealed record CommentRequest(string? Body);

public sealed record FieldChangeResponse(string Field, string? From, string? To);

public sealed record MissedChangeResponse(string Actor, DateTimeOffset At, int Version, IReadOnlyList<FieldChangeResponse> Changes);

internal static class TicketApiNames
{
    public static string Of(TicketType type) => type.ToString().ToLowerInvariant();
}
