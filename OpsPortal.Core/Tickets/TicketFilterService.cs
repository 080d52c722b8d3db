using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Tickets;

/// <summary>A filter as the list shows it; <see cref="Id"/> is null for the built-in ones, which cannot be deleted.</summary>
public sealed record SavedTicketFilter(int? Id, string Name, string Query, bool Personal, string CreatedBy);

/// <summary>Saved list filters: built-in, the team's, and each person's own.</summary>
public sealed class TicketFilterService(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock)
{
    /// <summary>Every team needs these two on day one; they live in code so they can never be lost or broken.</summary>
    public static readonly IReadOnlyList<SavedTicketFilter> BuiltIn =
    [
        new(null, "My open", "status=active&assignee=@me&sort=priority", Personal: false, "OpsPortal"),
        new(null, "Unassigned P1", "status=active&priority=P1&assignee=none", Personal: false, "OpsPortal"),
    ];

    public async Task<List<SavedTicketFilter>> ListAsync(string me, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<TicketFilter>().AsNoTracking()
            .Where(f => f.Owner == null || f.Owner == me)
            .OrderBy(f => f.Owner != null).ThenBy(f => f.Name)
            .Select(f => new SavedTicketFilter(f.Id, f.Name, f.Query, f.Owner != null, f.CreatedBy))
            .ToListAsync(ct);
        return [.. BuiltIn, .. stored];
    }

    /// <summary>Saves (or replaces, by name) a filter for the team or for <paramref name="actor"/> alone.</summary>
    public async Task<SavedTicketFilter> SaveAsync(string actor, string name, string query, bool personal, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            throw new TicketValidationException("name", "A saved filter needs a name of 1 to 100 characters.");
        }
        if (BuiltIn.Any(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new TicketValidationException("name", $"'{name}' is a built-in filter; choose another name.");
        }
        var normalized = TicketQuery.Parse(query).ToQueryString();
        var owner = personal ? actor : null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filter = await db.Set<TicketFilter>().SingleOrDefaultAsync(f => f.Owner == owner && f.Name == name, ct);
        if (filter is null)
        {
            filter = new TicketFilter { Name = name, Owner = owner, Query = normalized, CreatedBy = actor, CreatedAt = clock.GetUtcNow() };
            db.Add(filter);
        }
        else
        {
            filter.Query = normalized;
        }
        if (!personal)
        {
            events.Append(db, actor, "ticket.filter_saved", "ticket_filter", name, $"{actor} saved the team ticket filter \"{name}\": {normalized}");
        }
        await db.SaveChangesAsync(ct);
        return new SavedTicketFilter(filter.Id, filter.Name, filter.Query, personal, filter.CreatedBy);
    }

    /// <summary>A personal filter by its owner; a team filter by its creator or an admin.</summary>
    public async Task<bool> DeleteAsync(string actor, bool isAdmin, int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filter = await db.Set<TicketFilter>().SingleOrDefaultAsync(f => f.Id == id, ct);
        if (filter is null || (filter.Owner is { } owner ? owner != actor : !isAdmin && filter.CreatedBy != actor))
        {
            return false;
        }
        db.Remove(filter);
        if (filter.Owner is null)
        {
            events.Append(db, actor, "ticket.filter_deleted", "ticket_filter", filter.Name, $"{actor} deleted the team ticket filter \"{filter.Name}\"");
        }
        await db.SaveChangesAsync(ct);
        return true;
    }
}
