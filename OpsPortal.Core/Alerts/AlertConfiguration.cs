using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Alerts;

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> e)
    {
        e.ToTable("alert_rules");
        e.Property(x => x.Name).HasMaxLength(AlertRuleRules.MaxName);
        e.Property(x => x.Service).HasMaxLength(100);
        e.Property(x => x.Runbook).HasMaxLength(200);
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Labels).AsJson();
        e.Property(x => x.Spec).AsJson();
        e.Property(x => x.IncidentSeverity).HasMaxLength(8);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.LeaseOwner).HasMaxLength(200);
        e.Property(x => x.LastError).HasMaxLength(2000);
        e.Property(x => x.Version).IsConcurrencyToken();
        e.Ignore(x => x.Interval);
        e.HasIndex(x => x.Name).IsUnique();
        // The evaluators' claim: due rules, oldest first.
        e.HasIndex(x => x.NextRunAt).HasFilter("enabled");
        e.HasIndex(x => x.Service);
    }
}

internal sealed class AlertInstanceConfiguration : IEntityTypeConfiguration<AlertInstance>
{
    public void Configure(EntityTypeBuilder<AlertInstance> e)
    {
        e.ToTable("alert_instances");
        e.Property(x => x.GroupKey).HasMaxLength(AlertRuleRules.MaxGroupKey);
        e.Property(x => x.State).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.HardState).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.NotifiedState).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.Message).HasMaxLength(2000);
        e.Property(x => x.History).HasMaxLength(64);
        e.Property(x => x.AcknowledgedBy).HasMaxLength(256);
        e.Property(x => x.AckComment).HasMaxLength(2000);
        e.Ignore(x => x.Firing);
        e.HasOne<AlertRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.RuleId, x.GroupKey }).IsUnique();
        e.HasIndex(x => x.HardState);
    }
}

internal sealed class AlertTransitionConfiguration : IEntityTypeConfiguration<AlertTransition>
{
    public void Configure(EntityTypeBuilder<AlertTransition> e)
    {
        e.ToTable("alert_transitions");
        e.Property(x => x.GroupKey).HasMaxLength(AlertRuleRules.MaxGroupKey);
        e.Property(x => x.Kind).HasMaxLength(32);
        e.Property(x => x.From).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.To).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.Message).HasMaxLength(2000);
        e.HasOne<AlertRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.RuleId, x.At });
        e.HasIndex(x => new { x.InstanceId, x.At });
    }
}

internal sealed class AlertSampleConfiguration : IEntityTypeConfiguration<AlertSample>
{
    public void Configure(EntityTypeBuilder<AlertSample> e)
    {
        e.ToTable("alert_samples");
        e.Property(x => x.GroupKey).HasMaxLength(AlertRuleRules.MaxGroupKey);
        e.Property(x => x.State).HasConversion<string>().HasMaxLength(10);
        e.Property(x => x.Detail).HasMaxLength(500);
        e.HasOne<AlertRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.RuleId, x.At });
        e.HasIndex(x => x.At);
    }
}

internal sealed class AlertSilenceConfiguration : IEntityTypeConfiguration<AlertSilence>
{
    public void Configure(EntityTypeBuilder<AlertSilence> e)
    {
        e.ToTable("alert_silences");
        e.Property(x => x.Matchers).AsJson();
        e.Property(x => x.Reason).HasMaxLength(2000);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.EndedBy).HasMaxLength(256);
        e.HasIndex(x => x.EndsAt);
    }
}
