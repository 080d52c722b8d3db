using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Core.Logs.Storage;
using OpsPortal.Core.Metrics.Storage;
using OpsPortal.Core.Verification;
using OpsPortal.Web.Features.Auth;
using OpsPortal.Web.Hosting;

namespace OpsPortal.Web.Jobs;

/// <summary>Hangfire on PostgreSQL, and the one place where recurring jobs are registered.</summary>
public static class JobsSetup
{
    public static IServiceCollection AddOpsJobs(this IServiceCollection services, OpsPortalOptions options, bool runServer = true)
    {
        // One storage instance per app, registered before AddHangfire so DI hands out this one and not
        // the process-wide JobStorage.Current, which another app in the same process (tests) may replace.
        // On the direct connection (Hangfire holds LISTEN sessions) with a pool of its own (docs/database.md).
        // The schema is installed by `migrate`, not here: the portal must start even while the database is away.
        var storage = new PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(options.ToConnections().JobsConnectionString, new PostgreSqlStorageOptions()),
            StorageOptions());
        services.AddSingleton<JobStorage>(storage);
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new HostSafeLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(storage));
        if (runServer && options.RunJobs)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
                o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
            // Deploys get workers of their own: a deploy never waits behind maintenance jobs, nor they behind it.
            services.AddHangfireServer(o =>
            {
                o.Queues = [DeployJob.Queue];
                o.WorkerCount = 10;
            });
            services.AddDeployRecovery();
            services.AddDeployVerifier();
            services.AddHostedService<RecurringJobRegistration>();
        }
        return services;
    }

    /// <summary>Hangfire's tables, created or upgraded with the portal's own migrations.</summary>
    public static void InstallSchema(Npgsql.NpgsqlConnection connection) =>
        PostgreSqlObjectsInstaller.Install(connection, StorageOptions().SchemaName);

    private static PostgreSqlStorageOptions StorageOptions() => new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = false,
        // LISTEN/NOTIFY: a job enqueued by any process starts within ~100 ms instead of up to 15 s.
        EnableLongPolling = true,
    };

    public static IEndpointRouteBuilder MapOpsJobs(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            DashboardTitle = "OpsPortal jobs",
            AppPath = "/",
            // The endpoint policy below does the real check; this filter keeps the dashboard closed
            // even if someone maps it elsewhere without one.
            Authorization = [new AdminDashboardFilter()],
        }).RequireAuthorization(AuthSetup.AdminPolicy);
        return app;
    }

    private sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}

/// <summary>
/// Every recurring job of the product, registered at start-up (idempotent across nodes); a loop, so a
/// portal that starts while the database is away registers them once it is back.
/// </summary>
internal sealed class RecurringJobRegistration(IRecurringJobManager jobs, BackupTargets backupTargets, BackgroundHealth health, TimeProvider clock,
    ILogger<RecurringJobRegistration> logger) : BackgroundLoop(health, clock, logger)
{
    protected override string LoopName => "jobs.registration";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        jobs.AddOrUpdate<TokenCleanupJob>("auth:purge-revoked-tokens", j => j.RunAsync(CancellationToken.None), Cron.Daily(3));
        jobs.AddOrUpdate<LogMaintenanceJob>("logs:partitions-and-retention", j => j.RunAsync(CancellationToken.None), "1,16,31,46 * * * *");
        jobs.AddOrUpdate<MetricMaintenanceJob>("metrics:partitions-and-retention", j => j.RunAsync(CancellationToken.None), "2,17,32,47 * * * *");
        jobs.AddOrUpdate<BackupJobs>("backups:sweep", j => j.SweepAsync(CancellationToken.None), "*/5 * * * *");
        // The built-in target (the portal's own database) and every target's backup and drill schedules.
        await backupTargets.SyncAllSchedulesAsync(stoppingToken);
        MarkHealthy();
    }
}
