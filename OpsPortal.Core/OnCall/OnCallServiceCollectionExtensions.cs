using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.OnCall.Schedules;

namespace OpsPortal.Core.OnCall;

public static class OnCallServiceCollectionExtensions
{
    /// <summary>Schedules, escalation policies and paging; needs <see cref="Subscriptions.SubscriptionsServiceCollectionExtensions.AddSubscriptions"/> (people are paged through their settings).</summary>
    public static IServiceCollection AddOnCall(this IServiceCollection services)
    {
        services.AddOptions<OnCallOptions>().BindConfiguration(OnCallOptions.Section)
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(50) && o.PollInterval <= TimeSpan.FromMinutes(1),
                "OpsPortal:OnCall:PollInterval must be between 00:00:00.050 and 00:01:00.")
            .Validate(o => o.AckLinkLifetime >= TimeSpan.FromMinutes(5) && o.AckLinkLifetime <= TimeSpan.FromDays(7),
                "OpsPortal:OnCall:AckLinkLifetime must be between 00:05:00 and 7.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<EscalationPolicies>();
        services.AddSingleton<PageNotifier>();
        services.AddSingleton<Paging.Paging>();
        services.AddSingleton<PageAcknowledgements>();
        services.AddSingleton<PageLog>();
        services.AddSingleton<PageEscalator>();
        services.AddHostedService(sp => sp.GetRequiredService<PageEscalator>());
        return services;
    }
}
