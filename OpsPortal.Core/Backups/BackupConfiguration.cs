using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Backups;

internal sealed class BackupTargetConfiguration : IEntityTypeConfiguration<BackupTarget>
{
    public void Configure(EntityTypeBuilder<BackupTarget> e)
    {
        e.ToTable("backup_targets");
        e.Property(x => x.Name).HasMaxLength(BackupTargetRules.MaxName);
        e.Property(x => x.Server).HasMaxLength(300);
        e.Property(x => x.Destination).HasMaxLength(1000);
        e.Property(x => x.Method).HasMaxLength(16).HasDefaultValue(BackupMethods.PgDump);
        e.Property(x => x.Stanza).HasMaxLength(64);
        e.Property(x => x.PgBackRestConfig).HasMaxLength(1000).HasColumnName("pgbackrest_config");
        e.Property(x => x.Schedule).HasMaxLength(100);
        e.Property(x => x.DrillSchedule).HasMaxLength(100);
        e.Property(x => x.Checks).AsJson();
        e.Property(x => x.StaleReason).HasMaxLength(2000);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.HasIndex(x => x.Name).IsUnique();
        // One built-in target (the portal's own database), however many nodes start at once.
        e.HasIndex(x => x.BuiltIn).IsUnique().HasFilter("built_in");
    }
}

internal sealed class BackupConfiguration : IEntityTypeConfiguration<Backup>
{
    public void Configure(EntityTypeBuilder<Backup> e)
    {
        e.ToTable("backups", t => t.HasCheckConstraint("ck_backups_status", "status IN ('queued','running','succeeded','failed')"));
        e.HasOne<BackupTarget>().WithMany().HasForeignKey(x => x.TargetId).OnDelete(DeleteBehavior.Cascade);
        e.Property(x => x.Method).HasMaxLength(16);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.Trigger).HasMaxLength(16);
        e.Property(x => x.RequestedBy).HasMaxLength(256);
        e.Property(x => x.Location).HasMaxLength(1200);
        e.Property(x => x.Sha256).HasMaxLength(64);
        e.Property(x => x.Label).HasMaxLength(64);
        e.Property(x => x.RowCounts).AsJson();
        e.Property(x => x.Error).HasMaxLength(4000);
        e.HasIndex(x => new { x.TargetId, x.Id });
        // One backup of a target at a time, across every node: a second one cannot even be queued.
        e.HasIndex(x => x.TargetId).IsUnique().HasFilter("status IN ('queued','running')").HasDatabaseName("ux_backups_one_active_per_target");
    }
}

internal sealed class BackupDrillConfiguration : IEntityTypeConfiguration<BackupDrill>
{
    public void Configure(EntityTypeBuilder<BackupDrill> e)
    {
        e.ToTable("backup_drills", t => t.HasCheckConstraint("ck_backup_drills_status", "status IN ('queued','running','passed','failed')"));
        e.HasOne<BackupTarget>().WithMany().HasForeignKey(x => x.TargetId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Backup>().WithMany().HasForeignKey(x => x.BackupId).OnDelete(DeleteBehavior.Cascade);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.Trigger).HasMaxLength(16);
        e.Property(x => x.RequestedBy).HasMaxLength(256);
        e.Property(x => x.Steps).AsJson();
        e.Property(x => x.FailedStep).HasMaxLength(100);
        e.Property(x => x.Error).HasMaxLength(4000);
        e.HasIndex(x => new { x.TargetId, x.Id });
        e.HasIndex(x => x.TargetId).IsUnique().HasFilter("status IN ('queued','running')").HasDatabaseName("ux_backup_drills_one_active_per_target");
    }
}
