using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// One row of the routing table: when every matcher holds for a message's labels, the message goes to
/// <see cref="ChannelIds"/>. Routes are tried in <see cref="Position"/> order; the first match ends the
/// search unless it says <see cref="Continue"/>; the default route applies when no other route matched.
/// </summary>
internal class NotificationRoute
{
    public long Id { get; set; }
    public int Position { get; set; }
    public required string Name { get; set; }
    public List<RouteMatcher> Matchers { get; set; } = [];
    public List<long> ChannelIds { get; set; } = [];

    /// <summary>Keep trying the routes below after this one matched.</summary>
    public bool Continue { get; set; }

    /// <summary>The catch-all, used only when no other route matched; exactly one exists (created by the migration).</summary>
    public bool IsDefault { get; set; }

    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class NotificationRouteConfiguration : IEntityTypeConfiguration<NotificationRoute>
{
    public void Configure(EntityTypeBuilder<NotificationRoute> e)
    {
        e.ToTable("notification_routes");
        e.Property(x => x.Name).HasMaxLength(NotificationRules.MaxName);
        e.Property(x => x.ChannelIds).HasColumnType("bigint[]");
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.Property(x => x.Matchers).HasJsonColumn();
        e.HasIndex(x => x.IsDefault).IsUnique().HasFilter("is_default");
    }
}
