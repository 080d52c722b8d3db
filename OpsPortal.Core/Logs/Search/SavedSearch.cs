using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Logs.Search;

/// <summary>A named log search shared with the team: the query and the time range (a quick range like <c>1h</c>).</summary>
public class SavedSearch
{
    public int Id { get; set; }
    public required string Name { get; set; }
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
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.Query).HasMaxLength(QueryTokenizer.MaxLength);
        e.Property(x => x.Range).HasMaxLength(16);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
    }
}

public sealed class SavedSearchService(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock)
{
    public async Task<List<SavedSearch>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SavedSearches.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
    }

    /// <summary>Saves (or replaces, by name) a search for the team.</summary>
    public async Task<Result<SavedSearch>> SaveAsync(Actor actor, string name, string query, string range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            return Refusal.InvalidField("name", "A saved search needs a name of 1 to 100 characters.", "Invalid saved search");
        }
        if (LogQuery.Parse(query).Refusal is { } invalid)
        {
            return invalid with { Detail = "The query has an error: " + invalid.Detail };
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Name == name, ct);
        if (search is null)
        {
            search = db.SavedSearches.Add(new SavedSearch { Name = name, Query = query, Range = range, CreatedBy = actor.Name, CreatedAt = clock.GetUtcNow() }).Entity;
        }
        else
        {
            (search.Query, search.Range) = (query, range);
        }
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, LogsEventKinds.SearchSaved, LogsEventKinds.SavedSearchSubject,
            search.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{actor.Name} saved the log search \"{name}\": {query}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return search;
    }

    /// <summary>The creator or an Admin may delete a saved search.</summary>
    public async Task<Result> DeleteAsync(Actor actor, int id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (search is null)
        {
            return Refusal.NotFound("The saved search was deleted already.", "No such saved search");
        }
        if (!actor.Has(Roles.Admin) && search.CreatedBy != actor.Name)
        {
            return Refusal.Forbidden($"Only {search.CreatedBy} or an Admin can delete \"{search.Name}\".");
        }
        db.SavedSearches.Remove(search);
        events.Append(db, actor.Name, LogsEventKinds.SearchDeleted, LogsEventKinds.SavedSearchSubject, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor.Name} deleted the log search \"{search.Name}\"");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }
}
