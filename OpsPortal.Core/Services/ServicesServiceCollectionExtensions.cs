using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Services;

public static class ServicesServiceCollectionExtensions
{
    /// <summary>The service catalog: one resolver of "service" for every feature (needs AddDeploys, AddWiki and AddLogs).</summary>
    public static IServiceCollection AddServiceCatalog(this IServiceCollection services)
    {
        services.AddSingleton<ServiceCatalog>();
        services.AddSingleton<IServiceNames>(sp => sp.GetRequiredService<ServiceCatalog>());
        services.AddSingleton<ServiceHealth>();
        return services;
    }
}
