using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Dashboards;

public static class DashboardsServiceCollectionExtensions
{
    /// <summary>Dashboards, their panel queries and markers through one in-process HybridCache (needs AddLogs, AddOpsMetrics, AddServiceCatalog).</summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        // In-process only (no distributed second level): each node caches for itself and the events spine
        // invalidates on every node (ADR-031).
        services.AddHybridCache(o =>
        {
            o.MaximumPayloadBytes = 8 * 1024 * 1024;
            o.DefaultEntryOptions = new() { Expiration = PanelData.LiveTtl, LocalCacheExpiration = PanelData.LiveTtl };
        });
        services.AddSingleton<DashboardStore>();
        services.AddSingleton<PanelData>();
        services.AddSingleton<DashboardMarkers>();
        services.AddSingleton<ServiceDashboards>();
        services.AddSingleton<WallBoard>();
        services.AddHostedService<DashboardCacheInvalidator>();
        return services;
    }
}
