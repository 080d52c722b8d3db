using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Incidents;

public static class IncidentsServiceCollectionExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddOptions<IncidentsOptions>().BindConfiguration(IncidentsOptions.Section)
            .Validate(o => o.TimelineMargin >= TimeSpan.Zero && o.TimelineMargin <= TimeSpan.FromDays(7),
                "OpsPortal:Incidents:TimelineMargin must be between 00:00:00 and 7.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<IncidentService>();
        services.AddSingleton<OnCall.Paging.IPageSubject, IncidentPageSubject>();
        services.AddSingleton<IncidentQueries>();
        services.AddSingleton<IncidentTimeline>();
        services.AddSingleton<IncidentPostmortems>();
        services.AddSingleton<IncidentActionItems>();
        services.AddSingleton<IncidentTraffic>();
        services.AddSingleton<IDeployCheck, IncidentDeployCheck>();
        return services;
    }
}
