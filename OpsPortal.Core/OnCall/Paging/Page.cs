using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall.Escalation;

namespace OpsPortal.Core.OnCall.Paging;

[JsonConverter(typeof(JsonStringEnumConverter<PageStatus>))]
public enum PageStatus
{
    /// <summary>Paging: escalates at <see cref="Page.NextEscalationAt"/> unless acknowledged.</summary>
    Triggered,
    Acknowledged,

    /// <summary>The subject recovered or was resolved; nothing more happens.</summary>
    Resolved,
}

/// <summary>
/// One page: a subject (an alert or an incident) paged through an escalation policy. The policy's levels are copied
/// when the page opens, so editing the policy never changes a page under way. <see cref="Level"/> and
/// <see cref="Cycle"/> say where it is; the escalator moves it on at <see cref="NextEscalationAt"/>.
/// </summary>
public class Page
{
    /// <summary>From a hi-lo sequence: known before the caller saves, so its events and notifications name it in the same transaction.</summary>
    public long Id { get; set; }

    /// <summary>What the page is about, and what acknowledging it acknowledges (<c>alert</c> + instance id, <c>incident</c> + id).</summary>
    public required string SubjectType { get; set; }
    public required string SubjectId { get; set; }

    /// <summary>The spine subject whose timeline shows the page (an alert's events are on its rule; an incident's on itself).</summary>
    public required string EventSubjectType { get; set; }
    public required string EventSubjectId { get; set; }
    public required string Service { get; set; }

    /// <summary>A <see cref="NotificationSeverity"/>.</summary>
    public required string Severity { get; set; }
    public required string Summary { get; set; }
    public string? Detail { get; set; }
    public List<NotificationLink> Links { get; set; } = [];

    public long? PolicyId { get; set; }
    public required string PolicyName { get; set; }
    public List<EscalationLevel> Levels { get; set; } = [];
    public int Repeat { get; set; }

    public PageStatus Status { get; set; }

    /// <summary>The level paged last (0-based) in the current <see cref="Cycle"/> (0 = the first time through).</summary>
    public int Level { get; set; }
    public int Cycle { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset? NextEscalationAt { get; set; }

    /// <summary>Set when the last level of the last repeat timed out: nobody acknowledged.</summary>
    public DateTimeOffset? ExhaustedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }

    /// <summary>How: <c>link</c> (the signed link), <c>app</c>, <c>api</c>, or the subject's own acknowledgement (<c>alert</c>, <c>incident</c>).</summary>
    public string? AcknowledgedVia { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
}

/// <summary>One destination a level was paged at: a person's email or webhook, a channel, or their browser.</summary>
internal class PageNotification
{
    public long Id { get; set; }
    public long PageId { get; set; }
    public int Level { get; set; }
    public int Cycle { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The person paged; null for a channel.</summary>
    public string? Person { get; set; }

    /// <summary>How the log names the destination (<c>email ann@example.com</c>, <c>webhook hooks.slack.com</c>, <c>channel ops</c>, <c>browser</c>) — never a URL.</summary>
    public required string Destination { get; set; }

    /// <summary>The outbox delivery, whose status and attempts the page log shows; null for the browser.</summary>
    public long? DeliveryId { get; set; }
}

/// <summary>
/// The acknowledge link of one person for one page. Only the SHA-256 of the random token is stored: the link in the
/// message is the only copy. Single use; expires.
/// </summary>
public class PageAckToken
{
    public long Id { get; set; }
    public long PageId { get; set; }
    public required string Person { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class PageConfiguration : IEntityTypeConfiguration<Page>
{
    public void Configure(EntityTypeBuilder<Page> e)
    {
        e.ToTable("pages");
        e.Property(x => x.Id).UseHiLo("page_ids");
        e.Property(x => x.SubjectType).HasMaxLength(64);
        e.Property(x => x.SubjectId).HasMaxLength(200);
        e.Property(x => x.EventSubjectType).HasMaxLength(64);
        e.Property(x => x.EventSubjectId).HasMaxLength(200);
        e.Property(x => x.Service).HasMaxLength(128);
        e.Property(x => x.Severity).HasMaxLength(16);
        e.Property(x => x.Summary).HasMaxLength(PageRequest.MaxSummary);
        e.Property(x => x.Detail).HasMaxLength(PageRequest.MaxDetail);
        e.Property(x => x.Links).HasJsonColumn();
        e.Property(x => x.PolicyName).HasMaxLength(PolicyRules.MaxName);
        e.Property(x => x.Levels).HasJsonColumn();
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.AcknowledgedBy).HasMaxLength(256);
        e.Property(x => x.AcknowledgedVia).HasMaxLength(32);
        e.Property(x => x.ResolvedBy).HasMaxLength(256);
        // One unresolved page per subject: paging it again while it is paged changes nothing.
        e.HasIndex(x => new { x.SubjectType, x.SubjectId }).IsUnique().HasFilter("status <> 'Resolved'");
        // The escalator's question: which triggered pages are due.
        e.HasIndex(x => x.NextEscalationAt).HasFilter("status = 'Triggered'");
        e.HasIndex(x => x.OpenedAt);
    }
}

internal sealed class PageNotificationConfiguration : IEntityTypeConfiguration<PageNotification>
{
    public void Configure(EntityTypeBuilder<PageNotification> e)
    {
        e.ToTable("page_notifications");
        e.Property(x => x.Person).HasMaxLength(256);
        e.Property(x => x.Destination).HasMaxLength(300);
        e.HasOne<Page>().WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => x.PageId);
        e.HasIndex(x => new { x.Person, x.At });
    }
}

internal sealed class PageAckTokenConfiguration : IEntityTypeConfiguration<PageAckToken>
{
    public void Configure(EntityTypeBuilder<PageAckToken> e)
    {
        e.ToTable("page_ack_tokens");
        e.Property(x => x.Person).HasMaxLength(256);
        e.HasIndex(x => x.TokenHash).IsUnique();
        e.HasOne<Page>().WithMany().HasForeignKey(x => x.PageId).OnDelete(DeleteBehavior.Cascade);
    }
}
