using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Rollups;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Core.Logs.Storage;
using OpsPortal.Core.Logs.Syslog;

namespace OpsPortal.Core.Logs;

public static class LogsServiceCollectionExtensions
{
    public static IServiceCollection AddLogs(this IServiceCollection services)
    {
        services.AddOptions<LogsOptions>().BindConfiguration(LogsOptions.Section)
            .Validate(o => o.RetentionDays >= 1, "OpsPortal:Logs:RetentionDays must be at least 1.")
            .Validate(o => o.BatchSize is >= 1 and <= 100_000, "OpsPortal:Logs:BatchSize must be between 1 and 100000.")
            .Validate(o => o.MaxLineLength is >= 256 and <= 1_048_576, "OpsPortal:Logs:MaxLineLength must be between 256 and 1048576.")
            .Validate(o => o.SyslogUdpPort is >= 0 and <= 65535 && o.SyslogTcpPort is >= 0 and <= 65535,
                "OpsPortal:Logs:SyslogUdpPort and SyslogTcpPort must be between 0 (off) and 65535.")
            .Validate(o => IPAddress.TryParse(o.SyslogBindAddress, out _),
                "OpsPortal:Logs:SyslogBindAddress must be an IP address, such as 0.0.0.0, :: or 127.0.0.1.")
            .Validate(o => o.TailPollInterval >= TimeSpan.FromMilliseconds(10) && o.TailPollInterval <= TimeSpan.FromSeconds(10),
                "OpsPortal:Logs:TailPollInterval must be between 00:00:00.010 and 00:00:10.")
            .Validate(o => o.SourceReloadInterval >= TimeSpan.FromMilliseconds(50) && o.SourceReloadInterval <= TimeSpan.FromMinutes(5),
                "OpsPortal:Logs:SourceReloadInterval must be between 00:00:00.050 and 00:05:00.")
            .Validate(o => o.RollupInterval >= TimeSpan.FromMilliseconds(100) && o.RollupInterval <= TimeSpan.FromHours(1),
                "OpsPortal:Logs:RollupInterval must be between 00:00:00.100 and 01:00:00.")
            .Validate(o => o.MaxRejectsPerRequest is >= 0 and <= 100_000 && o.MaxRejectsPerSourceHour is >= 0 and <= 1_000_000,
                "OpsPortal:Logs:MaxRejectsPerRequest must be between 0 and 100000, MaxRejectsPerSourceHour between 0 and 1000000.")
            .Validate(o => o.IdempotencyKeyRetention >= TimeSpan.FromHours(24) && o.IdempotencyKeyRetention <= TimeSpan.FromDays(30),
                "OpsPortal:Logs:IdempotencyKeyRetention must be between 1.00:00:00 (24 hours) and 30.00:00:00.")
            .Validate(o => AllowedDirectories.Parse(o.AllowedPaths) is not null,
                "OpsPortal:Logs:AllowedPaths must be absolute directories separated by ':' (e.g. /var/log:/srv/logs).")
            .ValidateOnStart();
        services.AddSingleton<AccessWriter>();
        services.AddSingleton<LogIngestor>();
        services.AddSingleton<RequestIngestor>();
        services.AddSingleton<LogSourceService>();
        services.AddTransient<SourceStats>();
        services.AddTransient<LogMaintenanceJob>();
        services.AddSingleton<SyslogListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SyslogListener>());
        // Registered always; it does nothing where RunIngestion is off.
        services.AddHostedService<FileTailService>();
        services.AddSingleton<LogRowSearch>();
        services.AddSingleton<LogStatistics>();
        services.AddSingleton<LogCharts>();
        services.AddSingleton<LogTraffic>();
        services.AddSingleton<LogRollupJob>();
        services.AddHostedService<LogRollupService>();
        services.AddSingleton<SavedSearchService>();
        services.AddSingleton<AccessTailReader>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessTailReader>());
        return services;
    }
}
