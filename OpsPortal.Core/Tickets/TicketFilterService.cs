using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
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
    public async Task<Result<SavedTicketFilter>> SaveAsync(Actor actor, string name, string query, bool personal, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            return TicketRefusals.Invalid("name", "A saved filter needs a name of 1 to 100 characters.");
        }
        if (BuiltIn.Any(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            return TicketRefusals.Invalid("name", $"'{name}' is a built-in filter; choose another name.");
        }
        if (!TicketQuery.Parse(query).TryGet(out var parsed, out var refusal))
        {
            return refusal;
        }
        var normalized = parsed.ToQueryString();
        var owner = personal ? actor.Name : null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filter = await db.Set<TicketFilter>().SingleOrDefaultAsync(f => f.Owner == owner && f.Name == name, ct);
        if (filter is null)
        {
            filter = new TicketFilter { Name = name, Owner = owner, Query = normalized, CreatedBy = actor.Name, CreatedAt = clock.GetUtcNow() };
            db.Add(filter);
        }
        else
        {
            filter.Query = normalized;
        }
        if (!personal)
        {
            events.Append(db, actor.Name, TicketEventKinds.FilterSaved, TicketEventKinds.FilterSubjectType, name,
                $"{actor.Name} saved the team ticket filter \"{name}\": {normalized}");
        }
        await db.SaveChangesAsync(ct);
        return new SavedTicketFilter(filter.Id, filter.Name, filter.Query, personal, filter.CreatedBy);
    }

    /// <summary>A personal filter by its owner; a team filter by its creator or an Admin.</summary>
    public async Task<Result> DeleteAsync(Actor actor, int id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filter = await db.Set<TicketFilter>().SingleOrDefaultAsync(f => f.Id == id, ct);
        // Someone else's personal filter does not exist for this actor.
        if (filter is null || (filter.Owner is { } owner && owner != actor.Name))
        {
            return Refusal.NotFound("The filter was deleted already.", "No such filter");
        }
        if (filter.Owner is null && !actor.Has(Roles.Admin) && filter.CreatedBy != actor.Name)
        {
            return Refusal.Forbidden($"Only {filter.CreatedBy} or an Admin can delete the team filter \"{filter.Name}\".");
        }
        db.Remove(filter);
        if (filter.Owner is null)
        {
            events.Append(db, actor.Name, TicketEventKinds.FilterDeleted, TicketEventKinds.FilterSubjectType, filter.Name,
                $"{actor.Name} deleted the team ticket filter \"{filter.Name}\"");
        }
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }
}
