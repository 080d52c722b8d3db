using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Data;

/// <summary>
/// The one EF Core context of OpsPortal. Feature services use it directly.
/// <para>
/// Add a migration (from the repository root):
/// <c>dotnet ef migrations add NAME --project OpsPortal.Core --output-dir Data/Migrations</c>.
/// Apply: <c>dotnet OpsPortal.Web.dll migrate</c> (run.sh does this).
/// </para>
/// </summary>
public class OpsDbContext(DbContextOptions<OpsDbContext> options)
    : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    /// <summary>Cookie and antiforgery keys, shared by every app node so a session works on any of them.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<OpsEvent> Events => Set<OpsEvent>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<LogSource> LogSources => Set<LogSource>();
    public DbSet<LogReject> LogRejects => Set<LogReject>();
    public DbSet<LogFileCursor> LogFileCursors => Set<LogFileCursor>();
    public DbSet<LogIngestKey> LogIngestKeys => Set<LogIngestKey>();
    public DbSet<SavedSearch> SavedSearches => Set<SavedSearch>();
    public DbSet<Deploy> Deploys => Set<Deploy>();
    public DbSet<DeployOutputLine> DeployOutput => Set<DeployOutputLine>();
    public DbSet<DeployLock> DeployLocks => Set<DeployLock>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentNote> IncidentNotes => Set<IncidentNote>();
    public DbSet<IncidentPin> IncidentPins => Set<IncidentPin>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<AlertInstance> AlertInstances => Set<AlertInstance>();
    public DbSet<AlertTransition> AlertTransitions => Set<AlertTransition>();
    public DbSet<AlertSample> AlertSamples => Set<AlertSample>();
    public DbSet<AlertSilence> AlertSilences => Set<AlertSilence>();
    public DbSet<Services.ServiceDefinition> Services => Set<Services.ServiceDefinition>();
    public DbSet<Verification.DeployImpact> DeployImpacts => Set<Verification.DeployImpact>();
    public DbSet<Backups.BackupTarget> BackupTargets => Set<Backups.BackupTarget>();
    public DbSet<Backups.Backup> Backups => Set<Backups.Backup>();
    public DbSet<Backups.BackupDrill> BackupDrills => Set<Backups.BackupDrill>();
    public DbSet<Dashboards.Dashboard> Dashboards => Set<Dashboards.Dashboard>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(OpsDbContext).Assembly);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// <summary>
    /// Saves, and when the save adds events, NOTIFYs their ids inside the same transaction:
    /// PostgreSQL delivers a NOTIFY only when its transaction commits, so listeners never hear of
    /// an event that rolled back, and never miss one that committed.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var added = ChangeTracker.Entries<OpsEvent>()
            .Where(e => e.State == EntityState.Added)
            .Select(e => e.Entity)
            .ToList();
        if (added.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var ownTransaction = Database.CurrentTransaction is null
            ? await Database.BeginTransactionAsync(cancellationToken)
            : null;
        try
        {
            var result = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            foreach (var chunk in added.Select(e => e.Id).Chunk(500))
            {
                var payload = string.Join(',', chunk);
                await Database.ExecuteSqlAsync($"SELECT pg_notify({EventListener.Channel}, {payload})", cancellationToken);
            }
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }
            return result;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync();
            }
        }
    }
}
