using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OpsPortal.Core.Data;

/// <summary>Used by <c>dotnet ef</c> only: creating a migration needs the model, not a database.</summary>
internal sealed class OpsDbContextFactory : IDesignTimeDbContextFactory<OpsDbContext>
{
    public OpsDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<OpsDbContext>();
        options.UseOpsNpgsql("Host=localhost;Database=opsportal_design");
        return new OpsDbContext(options.Options);
    }
}
