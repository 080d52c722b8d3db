using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Dashboards;

internal sealed class DashboardConfiguration : IEntityTypeConfiguration<Dashboard>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Dashboard> e)
    {
        e.ToTable("dashboards");
        e.HasKey(x => x.Id);
        e.Property(x => x.Title).HasMaxLength(DashboardRules.MaxTitle);
        e.Property(x => x.Description).HasMaxLength(DashboardRules.MaxDescription);
        e.Property(x => x.Owner).HasMaxLength(256);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.Property(x => x.Revision).IsConcurrencyToken();
        e.HasIndex(x => x.Owner);
        // A dashboard's panels are always read and saved whole: one jsonb value, not a table.
        e.Property(x => x.Panels).HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<List<PanelSpec>>(v, Json) ?? new List<PanelSpec>(),
            new ValueComparer<List<PanelSpec>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, p) => HashCode.Combine(h, p)), v => v.ToList()));
    }
}
