using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Auth;

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> e) => e.Property(x => x.DisplayName).HasMaxLength(256);
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.ToTable("api_tokens");
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Prefix).HasMaxLength(16);
        e.HasIndex(x => x.Hash).IsUnique();
        e.HasIndex(x => x.UserId);
        e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> e)
    {
        e.ToTable("user_sessions");
        e.Property(x => x.Address).HasMaxLength(64);
        e.Property(x => x.UserAgent).HasMaxLength(256);
        e.HasIndex(x => x.UserId);
        e.HasOne<AppUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The roles are part of the schema: seeded by the migration, never created at run time.</summary>
internal sealed class RoleSeedConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> e) => e.HasData(
        Roles.All.Select(name => new IdentityRole
        {
            Id = "role-" + name.ToLowerInvariant(),
            Name = name,
            NormalizedName = name.ToUpperInvariant(),
            ConcurrencyStamp = "seed-" + name.ToLowerInvariant(),
        }));
}
