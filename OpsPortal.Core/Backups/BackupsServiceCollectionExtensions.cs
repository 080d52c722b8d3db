using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Backups;

public static class BackupsServiceCollectionExtensions
{
    /// <summary>Backups and restore drills (needs AddOpsData and Hangfire's storage for queueing and schedules).</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddOptions<BackupsOptions>().BindConfiguration(BackupsOptions.Section)
            .Validate(o => Path.IsPathFullyQualified(o.Folder), "OpsPortal:Backups:Folder must be an absolute folder path.")
            .Validate(o => o.RestoreJobs is >= 1 and <= 32, "OpsPortal:Backups:RestoreJobs must be between 1 and 32.")
            .Validate(o => o.MinFreeMegabytes >= 0, "OpsPortal:Backups:MinFreeMegabytes must not be negative.")
            .Validate(o => BackupTargetRules.Check(new BackupTargetInput("x", null, null, o.PortalSchedule, o.PortalDrillSchedule), true, false).Count == 0,
                "OpsPortal:Backups:PortalSchedule and PortalDrillSchedule must be cron expressions of 5 fields.")
            .ValidateOnStart();
        services.AddProcessLauncher();
        services.AddSingleton<PgTools>();
        services.AddSingleton<PgBackRest>();
        services.AddSingleton<BackupSecrets>();
        services.AddSingleton<BackupTargets>();
        services.AddSingleton<BackupRetention>();
        services.AddSingleton<BackupHealth>();
        services.AddSingleton<BackupRunner>();
        services.AddSingleton<BackupDrills>();
        services.AddSingleton<BackupHistory>();
        services.AddSingleton<BackupJobs>();
        services.AddSingleton<IFeatureCheck, BackupsFeatureCheck>();
        return services;
    }
}
