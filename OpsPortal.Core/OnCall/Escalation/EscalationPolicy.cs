using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.OnCall.Escalation;

/// <summary>
/// Who is paged, in what order: level 1 at once, the next level when nobody acknowledged within the level's
/// timeout, and the whole list again <see cref="Repeat"/> more times. A service names its policy in the catalog;
/// the policy marked <see cref="IsDefault"/> pages for services that name none.
/// </summary>
public class EscalationPolicy
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public List<EscalationLevel> Levels { get; set; } = [];

    /// <summary>How many more times the levels are paged from the top after the last one timed out (0: once through).</summary>
    public int Repeat { get; set; }

    /// <summary>Pages for services whose catalog entry names no policy; at most one policy has it.</summary>
    public bool IsDefault { get; set; }
    public int Version { get; set; } = 1;
    public bool IsDemo { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One level: everyone it names is paged at once; <see cref="TimeoutMinutes"/> later, unacknowledged, the next level is.</summary>
public sealed record EscalationLevel
{
    public int TimeoutMinutes { get; init; }
    public List<EscalationTarget> Targets { get; init; } = [];
}

[JsonConverter(typeof(JsonStringEnumConverter<EscalationTargetKind>))]
public enum EscalationTargetKind
{
    /// <summary>Whoever is on call in the schedule at the moment the level is paged.</summary>
    Schedule,

    /// <summary>One user, always.</summary>
    Person,

    /// <summary>A configured notification channel (a team chat room): kept in the loop, cannot acknowledge by link.</summary>
    Channel,
}

public sealed record EscalationTarget
{
    public EscalationTargetKind Kind { get; init; }
    public long? ScheduleId { get; init; }
    public string? Person { get; init; }
    public long? ChannelId { get; init; }
}

internal sealed class EscalationPolicyConfiguration : IEntityTypeConfiguration<EscalationPolicy>
{
    public void Configure(EntityTypeBuilder<EscalationPolicy> e)
    {
        e.ToTable("escalation_policies");
        e.Property(x => x.Name).HasMaxLength(PolicyRules.MaxName);
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.Description).HasMaxLength(PolicyRules.MaxDescription);
        e.Property(x => x.Levels).HasJsonColumn();
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.HasIndex(x => x.IsDefault).IsUnique().HasFilter("is_default");
    }
}
