using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
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

    /// <summary>Saves (or replaces, by name) a search; returns an error for the person, or null.</summary>
    public async Task<string?> SaveAsync(string actor, string name, string query, string range, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            return "A saved search needs a name of 1 to 100 characters.";
        }
        try
        {
            QueryParser.Parse(query);
        }
        catch (QueryException ex)
        {
            return "The query has an error: " + ex.Message;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Name == name, ct);
        if (search is null)
        {
            search = db.SavedSearches.Add(new SavedSearch { Name = name, Query = query, Range = range, CreatedBy = actor, CreatedAt = clock.GetUtcNow() }).Entity;
        }
        else
        {
            (search.Query, search.Range) = (query, range);
        }
        await db.SaveChangesAsync(ct);
        events.Append(db, actor, "logs.search_saved", "saved_search", search.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor} saved the log search \"{name}\": {query}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>The creator or an admin may delete a saved search.</summary>
    public async Task<bool> DeleteAsync(string actor, bool isAdmin, int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (search is null || (!isAdmin && search.CreatedBy != actor))
        {
            return false;
        }
        db.SavedSearches.Remove(search);
        events.Append(db, actor, "logs.search_deleted", "saved_search", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor} deleted the log search \"{search.Name}\"");
        await db.SaveChangesAsync(ct);
        return true;
    }
}
