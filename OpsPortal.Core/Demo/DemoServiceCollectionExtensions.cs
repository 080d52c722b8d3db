using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Logs;

namespace OpsPortal.Core.Demo;

public static class DemoServiceCollectionExtensions
{
    /// <summary>Demo content for each feature; every service here does nothing unless <c>OpsPortal:Demo</c> is true.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddOptions<DemoOptions>().BindConfiguration("OpsPortal");
        services.AddHostedService<DemoTrafficService>();
        services.AddHostedService<DemoAlertRules>();
        services.AddHostedService<DemoOnCall>();
        services.AddHostedService<DemoWikiService>();
        services.AddHostedService<DemoBackups>();
        services.AddSingleton<IPostConfigureOptions<DeployOptions>, DemoDeploys>();
        services.AddSingleton<IPostConfigureOptions<LogsOptions>, DemoLogPaths>();
        return services;
    }
}
