using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Events;

internal sealed class OpsEventConfiguration : IEntityTypeConfiguration<OpsEvent>
{
    public void Configure(EntityTypeBuilder<OpsEvent> e)
    {
        e.ToTable("events");
        e.Property(x => x.Actor).HasMaxLength(256);
        e.Property(x => x.Kind).HasMaxLength(64);
        e.Property(x => x.SubjectType).HasMaxLength(64);
        e.Property(x => x.SubjectId).HasMaxLength(256);
        e.Property(x => x.Service).HasMaxLength(128);
        e.Property(x => x.Summary).HasMaxLength(1000);
        e.Property(x => x.Payload).HasColumnType("jsonb");
        // The feed reads newest first; timelines read one subject, or one service in a window.
        e.HasIndex(x => x.OccurredAt).IsDescending();
        e.HasIndex(x => new { x.SubjectType, x.SubjectId, x.OccurredAt });
        e.HasIndex(x => new { x.Service, x.OccurredAt });
    }
}
