using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Verification;

internal sealed class DeployImpactConfiguration : IEntityTypeConfiguration<DeployImpact>
{
    public void Configure(EntityTypeBuilder<DeployImpact> e)
    {
        e.ToTable("deploy_impacts", t => t.HasCheckConstraint("ck_deploy_impacts_verdict",
            "verdict IN ('watching','healthy','regressed','not_enough_traffic','skipped')"));
        e.HasKey(x => x.DeployId);
        e.Property(x => x.DeployId).ValueGeneratedNever();
        e.HasOne<Deploy>().WithOne().HasForeignKey<DeployImpact>(x => x.DeployId).OnDelete(DeleteBehavior.Cascade);
        e.Property(x => x.Service).HasMaxLength(63);
        e.Property(x => x.Environment).HasMaxLength(63);
        e.Property(x => x.Selector).HasMaxLength(2000);
        e.Property(x => x.Verdict).HasMaxLength(32);
        e.Property(x => x.Reason).HasMaxLength(2000);
        e.Property(x => x.AutoRollback).HasMaxLength(16);
        e.Property(x => x.AutoRollbackDetail).HasMaxLength(1000);
        // The verifier's work list: rows still watching, and regressions whose rollback is due.
        e.HasIndex(x => x.Verdict).HasFilter("verdict = 'watching'");
        e.HasIndex(x => x.AutoRollback).HasFilter("auto_rollback = 'pending'");
        e.HasIndex(x => new { x.Service, x.Environment, x.DeployId });
    }
}
