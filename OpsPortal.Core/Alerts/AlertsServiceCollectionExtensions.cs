using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Alerts;

public static class AlertsServiceCollectionExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.Section)
            .Validate(o => o.MinIntervalSeconds is >= 1 and <= 3600, "OpsPortal:Alerts:MinIntervalSeconds must be between 1 and 3600.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(50) && o.PollInterval <= TimeSpan.FromMinutes(1),
                "OpsPortal:Alerts:PollInterval must be between 00:00:00.050 and 00:01:00.")
            .Validate(o => o.Parallelism is >= 1 and <= 64, "OpsPortal:Alerts:Parallelism must be between 1 and 64.")
            .Validate(o => o.SampleRetentionDays is >= 1 and <= 400, "OpsPortal:Alerts:SampleRetentionDays must be between 1 and 400.")
            .ValidateOnStart();
        services.AddSingleton<AlertMeasurer>();
        services.AddSingleton<HttpChecker>();
        services.AddSingleton<AlertEvaluator>();
        services.AddSingleton<AlertRoundWriter>();
        services.AddSingleton<AlertIncidents>();
        services.AddSingleton<AlertScheduler>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<OnCall.Paging.IPageSubject, AlertPageSubject>();
        services.AddSingleton<AlertBacktest>();
        services.AddSingleton<AlertEvaluationService>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluationService>());
        return services;
    }
}
