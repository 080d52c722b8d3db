using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Tickets;

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public const string NumberSequence = "ticket_numbers";

    public void Configure(EntityTypeBuilder<Ticket> e)
    {
        e.ToTable("tickets");
        e.Property(x => x.Key).HasMaxLength(TicketRules.MaxKeyLength);
        e.HasIndex(x => x.Key).IsUnique();
        e.HasIndex(x => x.Number).IsUnique();
        e.Property(x => x.Title).HasMaxLength(TicketRules.MaxTitleLength);
        e.Property(x => x.Description).HasMaxLength(TicketRules.MaxBodyLength);
        e.Property(x => x.Type).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Priority).HasConversion<string>().HasMaxLength(2);
        e.Property(x => x.Assignee).HasMaxLength(256);
        e.Property(x => x.Reporter).HasMaxLength(256);
        e.Property(x => x.Service).HasMaxLength(TicketRules.MaxServiceLength);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.Ignore(x => x.IsOpen);
        // The list's common shapes: open work by status/priority, someone's queue, newest changes.
        e.HasIndex(x => new { x.Status, x.Priority, x.UpdatedAt });
        e.HasIndex(x => new { x.Assignee, x.Status });
        e.HasIndex(x => x.UpdatedAt);
        e.HasIndex(x => x.Service);
        e.HasIndex(x => x.Labels).HasMethod("gin");
        e.HasMany(x => x.Comments).WithOne().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.Links).WithOne().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.Watchers).WithOne().HasForeignKey(w => w.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketCommentConfiguration : IEntityTypeConfiguration<TicketComment>
{
    public void Configure(EntityTypeBuilder<TicketComment> e)
    {
        e.ToTable("ticket_comments");
        e.Property(x => x.Author).HasMaxLength(256);
        e.Property(x => x.Body).HasMaxLength(TicketRules.MaxBodyLength);
        e.HasIndex(x => new { x.TicketId, x.CreatedAt });
        e.HasMany(x => x.Revisions).WithOne().HasForeignKey(r => r.CommentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketCommentRevisionConfiguration : IEntityTypeConfiguration<TicketCommentRevision>
{
    public void Configure(EntityTypeBuilder<TicketCommentRevision> e)
    {
        e.ToTable("ticket_comment_revisions");
        e.Property(x => x.Body).HasMaxLength(TicketRules.MaxBodyLength);
        e.Property(x => x.ReplacedBy).HasMaxLength(256);
        e.HasIndex(x => x.CommentId);
    }
}

internal sealed class TicketLinkConfiguration : IEntityTypeConfiguration<TicketLink>
{
    public void Configure(EntityTypeBuilder<TicketLink> e)
    {
        e.ToTable("ticket_links");
        e.Property(x => x.Kind).HasMaxLength(32);
        e.Property(x => x.TargetType).HasMaxLength(32);
        e.Property(x => x.TargetId).HasMaxLength(256);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.HasIndex(x => new { x.TicketId, x.Kind, x.TargetType, x.TargetId }).IsUnique();
        // "Which tickets point at this deploy / incident / ticket?"
        e.HasIndex(x => new { x.TargetType, x.TargetId });
    }
}

internal sealed class TicketWatcherConfiguration : IEntityTypeConfiguration<TicketWatcher>
{
    public void Configure(EntityTypeBuilder<TicketWatcher> e)
    {
        e.ToTable("ticket_watchers");
        e.HasKey(x => new { x.TicketId, x.UserEmail });
        e.Property(x => x.UserEmail).HasMaxLength(256);
        e.HasIndex(x => x.UserEmail);
    }
}

internal sealed class TicketFilterConfiguration : IEntityTypeConfiguration<TicketFilter>
{
    public void Configure(EntityTypeBuilder<TicketFilter> e)
    {
        e.ToTable("ticket_filters");
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Owner).HasMaxLength(256);
        e.Property(x => x.Query).HasMaxLength(2000);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        // A name is unique among the team's filters and among each person's own.
        e.HasIndex(x => new { x.Owner, x.Name }).IsUnique().AreNullsDistinct(false);
    }
}
