using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Subscriptions;

/// <summary>
/// One thing a person will hear about in their next digest: an event of the spine, and why it reached them. Unique
/// per person and event, so fanning an event out again (another node, a re-read window) adds nothing.
/// </summary>
public class DigestItem
{
    public long Id { get; set; }
    public required string UserEmail { get; set; }
    public long EventId { get; set; }

    /// <summary>Why: <c>watching</c>, <c>assigned</c>, <c>mentioned</c>, <c>your service</c>.</summary>
    public required string Reason { get; set; }
    public required string Summary { get; set; }

    /// <summary>A portal path to the subject (<c>/tickets/OPS-12</c>).</summary>
    public string? Link { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the digest holding it was queued; null while it waits (the digest delay, or quiet hours).</summary>
    public DateTimeOffset? SentAt { get; set; }
    public long? DeliveryId { get; set; }
}

/// <summary>How far the fan-out has read the events (one row).</summary>
public class SubscriptionCursor
{
    public int Id { get; set; }
    public long LastEventId { get; set; }
}

internal sealed class DigestItemConfiguration : IEntityTypeConfiguration<DigestItem>
{
    public void Configure(EntityTypeBuilder<DigestItem> e)
    {
        e.ToTable("digest_items");
        e.Property(x => x.UserEmail).HasMaxLength(256);
        e.Property(x => x.Reason).HasMaxLength(32);
        e.Property(x => x.Summary).HasMaxLength(1000);
        e.Property(x => x.Link).HasMaxLength(300);
        e.HasIndex(x => new { x.UserEmail, x.EventId }).IsUnique();
        e.HasIndex(x => new { x.UserEmail, x.CreatedAt }).HasFilter("sent_at IS NULL");
    }
}

internal sealed class SubscriptionCursorConfiguration : IEntityTypeConfiguration<SubscriptionCursor>
{
    public void Configure(EntityTypeBuilder<SubscriptionCursor> e)
    {
        e.ToTable("subscription_cursor");
        e.Property(x => x.Id).ValueGeneratedNever();
    }
}
