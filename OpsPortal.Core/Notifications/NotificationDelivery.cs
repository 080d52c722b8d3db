using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Notifications;

/// <summary>Pending → Sending (claimed by one node) → Sent, or back to Pending for a retry, or Failed (given up).</summary>
public enum DeliveryStatus
{
    Pending,
    Sending,
    Sent,
    Failed,
}

/// <summary>
/// One message to one channel or personal destination: the outbox row. Written in the caller's transaction;
/// the delivery worker of any node claims it, sends it, and records the outcome. It keeps a copy of the
/// message, so changing a channel or the routes later does not change what was queued.
/// </summary>
internal class NotificationDelivery
{
    public long Id { get; set; }

    /// <summary>The channel, or for a personal email the channel whose SMTP server sends it; null for a personal webhook.</summary>
    public long? ChannelId { get; set; }

    /// <summary>How it is sent (the channel's kind when it was queued, or the personal destination's).</summary>
    public ChannelKind Kind { get; set; }

    /// <summary>A personal email address (instead of the channel's recipients).</summary>
    public string? Recipient { get; set; }

    /// <summary>A personal webhook URL, encrypted like a channel's secret.</summary>
    public string? DestinationProtected { get; set; }

    /// <summary>Shown instead of a personal destination: the address, or the webhook's host.</summary>
    public string? DestinationLabel { get; set; }

    public required string Subject { get; set; }
    public required string Text { get; set; }
    public required string Severity { get; set; }
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    public List<NotificationLink> Links { get; set; } = [];
    public required string SubjectType { get; set; }
    public required string SubjectId { get; set; }
    public string? DedupKey { get; set; }

    /// <summary>A "send test message" delivery.</summary>
    public bool IsTest { get; set; }

    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The node sending it now and until when its claim holds (a node that died mid-send loses it then).</summary>
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    public int? LastResponseCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was sent, or given up.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    public NotificationMessage ToMessage() =>
        new(Subject, Text, Severity, Labels, Links, SubjectType, SubjectId, DedupKey);
}

/// <summary>One try at sending a delivery: the delivery log's detail.</summary>
internal class NotificationAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public int DurationMs { get; set; }

    /// <summary>True when the receiver accepted it.</summary>
    public bool Succeeded { get; set; }

    /// <summary>The HTTP status or SMTP reply code, when there was one.</summary>
    public int? ResponseCode { get; set; }

    /// <summary>What went wrong, in words fit for a page (never a secret).</summary>
    public string? Error { get; set; }
    public required string Node { get; set; }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> e)
    {
        e.ToTable("notification_deliveries");
        // Ids come from a sequence in blocks (hi-lo), so EnqueueAsync knows them before the caller's commit.
        e.Property(x => x.Id).UseHiLo("notification_delivery_ids");
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Recipient).HasMaxLength(320);
        e.Property(x => x.DestinationLabel).HasMaxLength(320);
        e.Property(x => x.Subject).HasMaxLength(NotificationRules.MaxSubject);
        e.Property(x => x.Text).HasMaxLength(NotificationRules.MaxText);
        e.Property(x => x.Severity).HasMaxLength(16);
        e.Property(x => x.SubjectType).HasMaxLength(64);
        e.Property(x => x.SubjectId).HasMaxLength(200);
        e.Property(x => x.DedupKey).HasMaxLength(200);
        e.Property(x => x.ClaimedBy).HasMaxLength(200);
        e.Property(x => x.LastError).HasMaxLength(2000);
        e.Property(x => x.Labels).HasJsonColumn();
        e.Property(x => x.Links).HasJsonColumn();
        e.HasOne<NotificationChannel>().WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Cascade);
        // The worker's claim reads due rows; the partial index stays small however long the log grows.
        e.HasIndex(x => x.NextAttemptAt).HasFilter("status IN ('Pending', 'Sending')").HasDatabaseName("ix_notification_deliveries_due");
        e.HasIndex(x => new { x.ChannelId, x.Id });
        e.HasIndex(x => new { x.SubjectType, x.SubjectId });
    }
}

internal sealed class NotificationAttemptConfiguration : IEntityTypeConfiguration<NotificationAttempt>
{
    public void Configure(EntityTypeBuilder<NotificationAttempt> e)
    {
        e.ToTable("notification_attempts");
        e.Property(x => x.Error).HasMaxLength(2000);
        e.Property(x => x.Node).HasMaxLength(200);
        e.HasOne<NotificationDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.DeliveryId, x.Number });
    }
}
