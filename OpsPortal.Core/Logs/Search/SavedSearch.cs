using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// A named log search: the query and the time range (a quick range like <c>1h</c>). <see cref="Owner"/>
/// null: the team's (Engineers and up save them; only the creator replaces one); otherwise one person's own.
/// </summary>
public class SavedSearch
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Owner { get; set; }
    public required string Query { get; set; }
    public required string Range { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SavedSearchConfiguration : IEntityTypeConfiguration<SavedSearch>
{
    public void Configure(EntityTypeBuilder<SavedSearch> e)
    {
        e.ToTable("saved_searches");
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Owner).HasMaxLength(256);
        // A name is unique among the team's searches and among each person's own.
        e.HasIndex(x => new { x.Owner, x.Name }).IsUnique().AreNullsDistinct(false);
        e.Property(x => x.Query).HasMaxLength(QueryTokenizer.MaxLength);
        e.Property(x => x.Range).HasMaxLength(16);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
    }
}

public sealed class SavedSearchService(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock)
{
    /// <summary>The team's searches, then <paramref name="me"/>'s own.</summary>
    public async Task<List<SavedSearch>> ListAsync(string me, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SavedSearches.AsNoTracking()
            .Where(s => s.Owner == null || s.Owner == me)
            .OrderBy(s => s.Owner != null).ThenBy(s => s.Name)
            .ToListAsync(ct);
    }

    /// <summary>
    /// Saves a search for the team (Engineer and up) or for the actor alone. Saving under a name the
    /// actor already used replaces their own search; a team search someone else saved is never replaced (Conflict).
    /// </summary>
    public async Task<Result<SavedSearch>> SaveAsync(Actor actor, string name, string query, string range, bool personal,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            return Refusal.InvalidField("name", "A saved search needs a name of 1 to 100 characters.", "Invalid saved search");
        }
        if (range.Length is 0 or > 16)
        {
            return Refusal.InvalidField("range", "A saved search needs a time range such as 1h or 7d.");
        }
        if (LogQuery.Parse(query).Refusal is { } invalid)
        {
            return invalid with { Detail = "The query has an error: " + invalid.Detail };
        }
        if (!personal && !actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Saving a search for the team needs the Engineer role; save it for yourself instead.");
        }
        var owner = personal ? actor.Name : null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Owner == owner && s.Name == name, ct);
        if (search is not null && search.CreatedBy != actor.Name)
        {
            return TakenBy(name, search.CreatedBy);
        }
        if (search is null)
        {
            search = db.SavedSearches.Add(new SavedSearch
            {
                Name = name,
                Owner = owner,
                Query = query,
                Range = range,
                CreatedBy = actor.Name,
                CreatedAt = clock.GetUtcNow(),
            }).Entity;
        }
        else
        {
            (search.Query, search.Range) = (query, range);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return TakenBy(name, "someone else");
        }
        if (!personal)
        {
            events.Append(db, actor.Name, LogsEventKinds.SearchSaved, LogsEventKinds.SavedSearchSubject, search.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{actor.Name} saved the log search \"{name}\": {query}");
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return search;
    }

    /// <summary>A personal search by its owner; a team search by its creator or an admin.</summary>
    public async Task<Result> DeleteAsync(Actor actor, int id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Id == id && (s.Owner == null || s.Owner == actor.Name), ct);
        if (search is null)
        {
            return Refusal.NotFound($"There is no saved search #{id}.");
        }
        if (search.Owner is null && search.CreatedBy != actor.Name && !actor.Has(Roles.Admin))
        {
            return Refusal.Forbidden($"The team search \"{search.Name}\" was saved by {search.CreatedBy}; only they or an admin can delete it.");
        }
        db.SavedSearches.Remove(search);
        if (search.Owner is null)
        {
            events.Append(db, actor.Name, LogsEventKinds.SearchDeleted, LogsEventKinds.SavedSearchSubject, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{actor.Name} deleted the log search \"{search.Name}\"");
        }
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    private static Refusal TakenBy(string name, string owner) =>
        Refusal.Conflict($"A search named \"{name}\" was saved by {owner}; choose another name.", "Name taken");
}
