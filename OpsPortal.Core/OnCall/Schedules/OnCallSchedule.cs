using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.OnCall.Schedules;

/// <summary>How long one person's shift in a rotation lasts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RotationKind>))]
public enum RotationKind
{
    /// <summary>One calendar day: the hand-off is at the start's time of day, every day.</summary>
    Daily,

    /// <summary>Seven calendar days: the hand-off is on the start's weekday at the start's time of day.</summary>
    Weekly,

    /// <summary><see cref="ScheduleLayer.ShiftHours"/> hours of wall-clock time (12 h: 08:00 and 20:00 every day, DST or not).</summary>
    Custom,
}

/// <summary>
/// A schedule: layers of rotations in one time zone, and overrides on top. Who is on call at an instant is the
/// person of the latest override covering it, else of the highest layer active then (the last in the list), else
/// nobody. The rotation maths is <see cref="RotationMaths"/>.
/// </summary>
public class OnCallSchedule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>An IANA time zone id (<c>Europe/Berlin</c>): hand-offs and restrictions are wall-clock times there.</summary>
    public required string TimeZone { get; set; }
    public List<ScheduleLayer> Layers { get; set; } = [];

    /// <summary>Counts saves from 1; an update that names an older version is refused (someone else changed it).</summary>
    public int Version { get; set; } = 1;
    public bool IsDemo { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One rotation. Shift k covers the wall-clock interval [Start + k·length, Start + (k+1)·length) in the schedule's
/// zone and belongs to <c>People[k mod n]</c>. Before <see cref="Start"/> the layer has nobody.
/// </summary>
public sealed record ScheduleLayer
{
    public string Name { get; init; } = "";
    public RotationKind Rotation { get; init; }

    /// <summary>The shift length of a <see cref="RotationKind.Custom"/> rotation, in hours.</summary>
    public int? ShiftHours { get; init; }

    /// <summary>The first hand-off, a wall-clock time in the schedule's zone (no offset): its time of day is the hand-off time.</summary>
    public DateTime Start { get; init; }

    /// <summary>Users (emails) in rotation order.</summary>
    public List<string> People { get; init; } = [];

    /// <summary>When set, the layer covers only these hours (e.g. nights, weekends); otherwise all the time.</summary>
    public LayerRestriction? Restriction { get; init; }
}

/// <summary>
/// The hours a layer covers: from <see cref="From"/> to <see cref="To"/> (wall clock) on each of <see cref="Days"/>;
/// a window that ends at or before it starts runs past midnight into the next day (18:00–08:00). From = To: the whole day.
/// </summary>
public sealed record LayerRestriction
{
    public List<DayOfWeek> Days { get; init; } = [];
    public TimeOnly From { get; init; }
    public TimeOnly To { get; init; }
}

/// <summary>"I take Tuesday night for Ann": <see cref="Person"/> is on call from <see cref="StartsAt"/> to <see cref="EndsAt"/>, whatever the layers say.</summary>
public class OnCallOverride
{
    public long Id { get; set; }
    public long ScheduleId { get; set; }
    public required string Person { get; set; }

    /// <summary>Whom the override stands in for, when the person said so (shown, not used by the maths).</summary>
    public string? Replaces { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public string? Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class OnCallScheduleConfiguration : IEntityTypeConfiguration<OnCallSchedule>
{
    public void Configure(EntityTypeBuilder<OnCallSchedule> e)
    {
        e.ToTable("oncall_schedules");
        e.Property(x => x.Name).HasMaxLength(ScheduleRules.MaxName);
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.Description).HasMaxLength(ScheduleRules.MaxDescription);
        e.Property(x => x.TimeZone).HasMaxLength(64);
        e.Property(x => x.Layers).HasJsonColumn();
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
    }
}

internal sealed class OnCallOverrideConfiguration : IEntityTypeConfiguration<OnCallOverride>
{
    public void Configure(EntityTypeBuilder<OnCallOverride> e)
    {
        e.ToTable("oncall_overrides");
        e.Property(x => x.Person).HasMaxLength(256);
        e.Property(x => x.Replaces).HasMaxLength(256);
        e.Property(x => x.Reason).HasMaxLength(ScheduleRules.MaxDescription);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.HasOne<OnCallSchedule>().WithMany().HasForeignKey(x => x.ScheduleId).OnDelete(DeleteBehavior.Cascade);
        // "Who is on call now" reads the overrides that have not ended.
        e.HasIndex(x => new { x.ScheduleId, x.EndsAt });
    }
}
