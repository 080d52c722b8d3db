using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// A wiki page as it is now: the latest revision's title and body, kept on the page row so opening
/// and searching a page never has to find its latest revision first.
/// </summary>
internal class WikiPage
{
    public long Id { get; set; }

    /// <summary>Hierarchical, lower case, e.g. <c>databases/postgres/failover</c> (see <see cref="WikiSlug"/>).</summary>
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }

    /// <summary>The number of the latest revision; what a save's <c>baseRevision</c> is compared with.</summary>
    public int Revision { get; set; }

    /// <summary>The services this page covers (a runbook names at least one).</summary>
    public List<string> Services { get; set; } = [];

    public bool IsDemo { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

internal sealed class WikiPageConfiguration : IEntityTypeConfiguration<WikiPage>
{
    public void Configure(EntityTypeBuilder<WikiPage> e)
    {
        e.ToTable("wiki_pages");
        e.Property(x => x.Slug).HasMaxLength(WikiSlug.MaxLength);
        e.HasIndex(x => x.Slug).IsUnique();
        e.Property(x => x.Title).HasMaxLength(WikiPageRules.MaxTitleLength);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.HasIndex(x => x.UpdatedAt);
        e.HasIndex(x => x.Services).HasMethod("gin");
    }
}

/// <summary>One saved state of a page. Revisions are never changed or deleted; restore adds one.</summary>
internal class WikiRevision
{
    public long Id { get; set; }
    public long PageId { get; set; }
    public WikiPage? Page { get; set; }

    /// <summary>1, 2, 3 … per page.</summary>
    public int Number { get; set; }

    /// <summary>The page's slug when this revision was saved (a move writes a revision).</summary>
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public List<string> Services { get; set; } = [];
    public required string Author { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? Message { get; set; }
}

internal sealed class WikiRevisionConfiguration : IEntityTypeConfiguration<WikiRevision>
{
    public void Configure(EntityTypeBuilder<WikiRevision> e)
    {
        e.ToTable("wiki_revisions");
        e.HasOne(x => x.Page).WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.PageId, x.Number }).IsUnique();
        e.HasIndex(x => x.CreatedAt);
        e.Property(x => x.Slug).HasMaxLength(WikiSlug.MaxLength);
        e.Property(x => x.Title).HasMaxLength(WikiPageRules.MaxTitleLength);
        e.Property(x => x.Author).HasMaxLength(256);
        e.Property(x => x.Message).HasMaxLength(WikiPageRules.MaxMessageLength);
    }
}

/// <summary>An old slug of a moved page: links and bookmarks to it keep working.</summary>
internal class WikiRedirect
{
    public required string FromSlug { get; set; }
    public long PageId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WikiRedirectConfiguration : IEntityTypeConfiguration<WikiRedirect>
{
    public void Configure(EntityTypeBuilder<WikiRedirect> e)
    {
        e.ToTable("wiki_redirects");
        e.HasKey(x => x.FromSlug);
        e.Property(x => x.FromSlug).HasMaxLength(WikiSlug.MaxLength);
        e.HasOne<WikiPage>().WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.PageId);
    }
}

/// <summary>A <c>[[target]]</c> link in a page's current body, kept for backlinks and the broken-link list.</summary>
internal class WikiLink
{
    public long PageId { get; set; }
    public required string TargetSlug { get; set; }
}

internal sealed class WikiLinkConfiguration : IEntityTypeConfiguration<WikiLink>
{
    public void Configure(EntityTypeBuilder<WikiLink> e)
    {
        e.ToTable("wiki_links");
        e.HasKey(x => new { x.PageId, x.TargetSlug });
        e.Property(x => x.TargetSlug).HasMaxLength(WikiSlug.MaxLength);
        e.HasOne<WikiPage>().WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.TargetSlug);
    }
}

/// <summary>An image pasted or uploaded into a page, stored in the database with it (backed up with it).</summary>
internal class WikiImage
{
    public Guid Id { get; set; }
    public long PageId { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Data { get; set; }
    public required string UploadedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class WikiImageConfiguration : IEntityTypeConfiguration<WikiImage>
{
    public void Configure(EntityTypeBuilder<WikiImage> e)
    {
        e.ToTable("wiki_images");
        e.HasOne<WikiPage>().WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.PageId);
        e.Property(x => x.FileName).HasMaxLength(200);
        e.Property(x => x.ContentType).HasMaxLength(100);
        e.Property(x => x.UploadedBy).HasMaxLength(256);
    }
}
