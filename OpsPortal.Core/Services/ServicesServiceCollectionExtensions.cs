using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Services;

public static class ServicesServiceCollectionExtensions
{
    /// <summary>The service catalog: one resolver of "service" for every feature (needs AddDeploys and AddWiki).</summary>
    public static IServiceCollection AddServiceCatalog(this IServiceCollection services)
    {
        services.AddSingleton<ServiceCatalog>();
        return services;
    }
}
