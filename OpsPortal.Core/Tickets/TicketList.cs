using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Tickets;

/// <summary>The filtered, sorted, paged list, all in the database.</summary>
public sealed class TicketList(IDbContextFactory<OpsDbContext> dbFactory)
{
    /// <param name="me">The signed-in user's email, for <c>assignee=@me</c>.</param>
    public async Task<TicketListPage> ListAsync(TicketQuery query, string me, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tickets = Filter(db, query, me);
        var total = await tickets.CountAsync(ct);
        var rows = await Sort(tickets, query)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .Select(t => new TicketRow(t.Key, t.Title, t.Type, t.Status, t.Priority, t.Assignee, t.Labels, t.Service, t.DueDate, t.UpdatedAt, t.RowVersion))
            .ToListAsync(ct);
        return new TicketListPage(rows, total, query.Page, query.PageSize);
    }

    private static IQueryable<Ticket> Filter(OpsDbContext db, TicketQuery query, string me)
    {
        IQueryable<Ticket> tickets;
        if (query.Text is { } text)
        {
            // A key matches itself; anything else is full text over title and description.
            var key = TicketRules.NormalizeKey(text) ?? "";
            tickets = db.Set<Ticket>().FromSql(
                $"SELECT * FROM tickets WHERE key = {key} OR search @@ websearch_to_tsquery('english', {text})");
        }
        else
        {
            tickets = db.Set<Ticket>();
        }
        tickets = tickets.AsNoTracking();
        if (query.Statuses.Count > 0)
        {
            var statuses = query.Statuses.ToList();
            tickets = tickets.Where(t => statuses.Contains(t.Status));
        }
        if (query.Priorities.Count > 0)
        {
            var priorities = query.Priorities.ToList();
            tickets = tickets.Where(t => priorities.Contains(t.Priority));
        }
        if (query.Types.Count > 0)
        {
            var types = query.Types.ToList();
            tickets = tickets.Where(t => types.Contains(t.Type));
        }
        tickets = query.Assignee switch
        {
            null => tickets,
            TicketQuery.Nobody => tickets.Where(t => t.Assignee == null),
            TicketQuery.Me => tickets.Where(t => t.Assignee == me),
            var email => tickets.Where(t => t.Assignee == email),
        };
        if (query.Label is { } label)
        {
            tickets = tickets.Where(t => t.Labels.Contains(label));
        }
        if (query.Service is { } service)
        {
            tickets = tickets.Where(t => t.Service == service);
        }
        return tickets;
    }

    private static IOrderedQueryable<Ticket> Sort(IQueryable<Ticket> tickets, TicketQuery query) => (query.Sort, query.Ascending) switch
    {
        (TicketSort.Created, false) => tickets.OrderByDescending(t => t.Number),
        (TicketSort.Created or TicketSort.Key, true) => tickets.OrderBy(t => t.Number),
        (TicketSort.Key, false) => tickets.OrderByDescending(t => t.Number),
        // "Priority" means most urgent first, then the most recently touched.
        (TicketSort.Priority, false) => tickets.OrderBy(t => t.Priority).ThenByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id),
        (TicketSort.Priority, true) => tickets.OrderByDescending(t => t.Priority).ThenByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id),
        (TicketSort.Due, false) => tickets.OrderBy(t => t.DueDate == null).ThenBy(t => t.DueDate).ThenByDescending(t => t.Id),
        (TicketSort.Due, true) => tickets.OrderBy(t => t.DueDate == null).ThenByDescending(t => t.DueDate).ThenByDescending(t => t.Id),
        (_, true) => tickets.OrderBy(t => t.UpdatedAt).ThenBy(t => t.Id),
        _ => tickets.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Id),
    };
}
