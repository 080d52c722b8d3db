using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Deploys;

internal sealed class DeployConfiguration : IEntityTypeConfiguration<Deploy>
{
    /// <summary>The rule "one deploy at a time per target" lives in this index, so it holds across app processes.</summary>
    public const string ActiveIndex = "ux_deploys_one_active_per_target";

    public void Configure(EntityTypeBuilder<Deploy> e)
    {
        e.ToTable("deploys", t => t.HasCheckConstraint("ck_deploys_status",
            "status IN ('queued','running','succeeded','failed','cancelled','interrupted')"));
        e.Property(x => x.Service).HasMaxLength(63);
        e.Property(x => x.Environment).HasMaxLength(63);
        e.Property(x => x.Action).HasMaxLength(16);
        e.Property(x => x.Version).HasMaxLength(128);
        e.Property(x => x.PreviousVersion).HasMaxLength(128);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.RequestedBy).HasMaxLength(256);
        e.Property(x => x.Outcome).HasMaxLength(1000);
        e.Property(x => x.Script).HasMaxLength(1000);
        e.Property(x => x.TicketKey).HasMaxLength(32);
        e.Property(x => x.DiffUrl).HasMaxLength(2000);
        e.Property(x => x.Runner).HasMaxLength(300);
        e.Property(x => x.PromotedFrom).HasMaxLength(63);
        e.Property(x => x.CancelRequestedBy).HasMaxLength(256);
        e.Ignore(x => x.IsActive);
        e.Ignore(x => x.Duration);
        e.HasIndex(x => new { x.Service, x.Environment }).IsUnique()
            .HasFilter("status IN ('queued','running')").HasDatabaseName(ActiveIndex);
        e.HasIndex(x => new { x.Service, x.Environment, x.Id });
        e.HasIndex(x => x.RequestedAt);
        e.HasIndex(x => x.Status).HasFilter("status IN ('queued','running')");
    }
}

internal sealed class DeployOutputLineConfiguration : IEntityTypeConfiguration<DeployOutputLine>
{
    public void Configure(EntityTypeBuilder<DeployOutputLine> e)
    {
        e.ToTable("deploy_output");
        e.HasKey(x => new { x.DeployId, x.Seq });
        e.HasOne<Deploy>().WithMany().HasForeignKey(x => x.DeployId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeployLockConfiguration : IEntityTypeConfiguration<DeployLock>
{
    public void Configure(EntityTypeBuilder<DeployLock> e)
    {
        e.ToTable("deploy_locks", t => t.HasCheckConstraint("ck_deploy_locks_window",
            "expires_at IS NULL OR expires_at > starts_at"));
        e.Property(x => x.Service).HasMaxLength(63);
        e.Property(x => x.Environment).HasMaxLength(63);
        e.Property(x => x.Reason).HasMaxLength(500);
        e.Property(x => x.LockedBy).HasMaxLength(256);
        e.Property(x => x.TimeZone).HasMaxLength(64);
        e.Ignore(x => x.IsFreeze);
        // Several per target: a lock now and maintenance windows later. "One lock holding now" is checked under the target's advisory lock.
        e.HasIndex(x => new { x.Service, x.Environment });
    }
}
