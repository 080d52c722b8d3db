using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Subscriptions;

public static class SubscriptionsServiceCollectionExtensions
{
    /// <summary>Personal settings, the fan-out of events to subscribers and the digests (OnCall pages people through <see cref="PersonalSettingsService"/>).</summary>
    public static IServiceCollection AddSubscriptions(this IServiceCollection services)
    {
        services.AddOptions<SubscriptionsOptions>().BindConfiguration(SubscriptionsOptions.Section)
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(50) && o.PollInterval <= TimeSpan.FromMinutes(1),
                "OpsPortal:OnCall:PollInterval must be between 00:00:00.050 and 00:01:00.")
            .ValidateOnStart();
        services.AddSingleton<PersonalSettingsService>();
        services.AddSingleton<SubscriptionFanout>();
        services.AddSingleton<DigestSender>();
        services.AddHostedService<SubscriptionLoop>();
        return services;
    }
}
