using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace OpsPortal.Core.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationsOptions>().BindConfiguration(NotificationsOptions.Section)
            .PostConfigure<IConfiguration>((o, config) =>
                o.PublicUrl ??= config["OpsPortal:PublicUrl"] is { Length: > 0 } url ? url : config["OpsPortal:Deploys:PublicUrl"])
            .Validate(o => o.MaxAttempts is >= 1 and <= 100, "OpsPortal:Notifications:MaxAttempts must be between 1 and 100.")
            .Validate(o => o.RetryDelay >= TimeSpan.FromMilliseconds(100) && o.RetryDelay <= o.MaxRetryDelay,
                "OpsPortal:Notifications:RetryDelay must be at least 00:00:00.1 and at most MaxRetryDelay.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100) && o.PollInterval <= TimeSpan.FromMinutes(5),
                "OpsPortal:Notifications:PollInterval must be between 00:00:00.1 and 00:05:00.")
            .Validate(o => o.Lease > o.WebhookTimeout && o.Lease > o.SmtpTimeout,
                "OpsPortal:Notifications:Lease must be longer than WebhookTimeout and SmtpTimeout, or a slow send could be claimed twice.")
            .Validate(o => o.Parallelism is >= 1 and <= 64, "OpsPortal:Notifications:Parallelism must be between 1 and 64.")
            .ValidateOnStart();
        services.AddDataProtection();
        services.AddSingleton<NotificationSecrets>();
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<NotificationChannels>();
        services.AddSingleton<NotificationRoutes>();
        services.AddSingleton<DemoWebhooks>();
        // No redirects (a webhook answers, it does not send us elsewhere with our body) and no request logging:
        // the default HttpClient logs print the URL, and a webhook URL is a secret.
        services.AddHttpClient(NotificationSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<NotificationDeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDeliveryWorker>());
        return services;
    }
}
