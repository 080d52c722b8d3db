using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Services;

internal sealed class ServiceDefinitionConfiguration : IEntityTypeConfiguration<ServiceDefinition>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<ServiceDefinition> e)
    {
        e.ToTable("services");
        e.HasKey(x => x.Name);
        e.Property(x => x.Name).HasMaxLength(63);
        e.Property(x => x.Description).HasMaxLength(ServiceCatalogRules.MaxDescription);
        e.Property(x => x.LogSelector).HasMaxLength(ServiceCatalogRules.MaxSelector);
        e.Property(x => x.EscalationPolicy).HasMaxLength(100);
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.Property(x => x.Revision).IsConcurrencyToken();
        // A few links per service, always read whole: one jsonb value, not a table.
        e.Property(x => x.Links).HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, Json),
            v => JsonSerializer.Deserialize<List<ServiceLink>>(v, Json) ?? new List<ServiceLink>(),
            new ValueComparer<List<ServiceLink>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, l) => HashCode.Combine(h, l)), v => v.ToList()));
    }
}
