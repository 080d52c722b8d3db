namespace OpsPortal.Core.Tickets;

public static class TicketEventKinds
{
    public const string SubjectType = "ticket";

    public const string Created = "ticket.created";
    public const string Updated = "ticket.updated";
    public const string StatusChanged = "ticket.status_changed";
    public const string Commented = "ticket.commented";
    public const string CommentEdited = "ticket.comment_edited";
    public const string Linked = "ticket.linked";
    public const string Unlinked = "ticket.unlinked";
    public const string Watched = "ticket.watched";
    public const string Unwatched = "ticket.unwatched";

    /// <summary>Team filters (personal ones are nobody else's business and leave no event).</summary>
    public const string FilterSubjectType = "ticket_filter";
    public const string FilterSaved = "ticket.filter_saved";
    public const string FilterDeleted = "ticket.filter_deleted";
}
