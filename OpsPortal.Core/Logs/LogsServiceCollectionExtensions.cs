using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Logs;

public static class LogsServiceCollectionExtensions
{
    public static IServiceCollection AddLogs(this IServiceCollection services)
    {
        services.AddOptions<LogsOptions>().BindConfiguration(LogsOptions.Section)
            .Validate(o => o.RetentionDays >= 1, "OpsPortal:Logs:RetentionDays must be at least 1.")
            .Validate(o => o.BatchSize is >= 1 and <= 100_000, "OpsPortal:Logs:BatchSize must be between 1 and 100000.")
            .Validate(o => o.MaxLineLength is >= 256 and <= 1_048_576, "OpsPortal:Logs:MaxLineLength must be between 256 and 1048576.")
            .ValidateOnStart();
        services.AddSingleton<AccessWriter>();
        services.AddSingleton<LogIngestor>();
        services.AddSingleton<LogSourceService>();
        services.AddTransient<SourceStats>();
        services.AddTransient<LogMaintenanceJob>();
        services.AddSingleton<LogSearch>();
        return services;
    }
}
