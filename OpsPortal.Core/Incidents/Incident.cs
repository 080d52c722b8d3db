using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Incidents;

public enum IncidentSeverity
{
    Sev1 = 1,
    Sev2 = 2,
    Sev3 = 3,
    Sev4 = 4,
}

/// <summary>Investigating → Identified → Mitigated → Resolved; a resolved incident can be reopened.</summary>
public enum IncidentStatus
{
    Investigating,
    Identified,
    Mitigated,
    Resolved,
}

/// <summary>
/// An incident and its five times (docs/incidents.md). Each time is set by its state
/// change and can be edited later, backdated included; every change is an event on the spine.
/// </summary>
public class Incident
{
    public long Id { get; set; }
    public required string Title { get; set; }
    public IncidentSeverity Severity { get; set; }
    public IncidentStatus Status { get; set; }
    public List<string> Services { get; set; } = [];
    public string? Commander { get; set; }
    public List<string> Participants { get; set; } = [];
    public string? Summary { get; set; }

    /// <summary>Impact began (often before anyone noticed).</summary>
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? DetectedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? MitigatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>The linked ticket (type incident), created with the incident or the ticket it was declared from.</summary>
    public string? TicketKey { get; set; }

    /// <summary>The postmortem wiki page, once written.</summary>
    public string? PostmortemSlug { get; set; }

    /// <summary>The log search it was declared from: graphs and the timeline start from it.</summary>
    public string? LogQuery { get; set; }
    public DateTimeOffset? LogFrom { get; set; }
    public DateTimeOffset? LogTo { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsOpen => Status != IncidentStatus.Resolved;

    public static string SeverityName(IncidentSeverity s) => "SEV" + (int)s;
}

/// <summary>A note on the timeline at a time its author chose (what happened at 09:12, written at 09:40).</summary>
public class IncidentNote
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Author { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A key moment of the review: one event of the timeline, pinned.</summary>
public class IncidentPin
{
    public long IncidentId { get; set; }
    public long EventId { get; set; }
    public required string PinnedBy { get; set; }
    public DateTimeOffset PinnedAt { get; set; }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> e)
    {
        e.ToTable("incidents");
        e.Property(x => x.Title).HasMaxLength(IncidentRules.MaxTitle);
        e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Services).HasColumnType("text[]");
        e.Property(x => x.Participants).HasColumnType("text[]");
        e.Property(x => x.Commander).HasMaxLength(256);
        e.Property(x => x.Summary).HasMaxLength(IncidentRules.MaxSummary);
        e.Property(x => x.TicketKey).HasMaxLength(64);
        e.Property(x => x.PostmortemSlug).HasMaxLength(200);
        e.Property(x => x.LogQuery).HasMaxLength(4000);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Ignore(x => x.IsOpen);
        // The list and the Home card read open incidents; metrics read by start time.
        e.HasIndex(x => new { x.Status, x.StartedAt });
        e.HasIndex(x => x.StartedAt);
        e.HasIndex(x => x.Services).HasMethod("gin");
    }
}

internal sealed class IncidentNoteConfiguration : IEntityTypeConfiguration<IncidentNote>
{
    public void Configure(EntityTypeBuilder<IncidentNote> e)
    {
        e.ToTable("incident_notes");
        e.Property(x => x.Author).HasMaxLength(256);
        e.Property(x => x.Text).HasMaxLength(IncidentRules.MaxNote);
        e.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.IncidentId, x.At });
    }
}

internal sealed class IncidentPinConfiguration : IEntityTypeConfiguration<IncidentPin>
{
    public void Configure(EntityTypeBuilder<IncidentPin> e)
    {
        e.ToTable("incident_pins");
        e.HasKey(x => new { x.IncidentId, x.EventId });
        e.Property(x => x.PinnedBy).HasMaxLength(256);
        e.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}
