using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Deploys.Running;

namespace OpsPortal.Core.Deploys;

public static class DeploysServiceCollectionExtensions
{
    public static IServiceCollection AddDeploys(this IServiceCollection services)
    {
        services.AddOptions<DeployOptions>().BindConfiguration(DeployOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConfigPath), "OpsPortal:Deploys:ConfigPath must name the services file.")
            .Validate(o => o.HeartbeatInterval >= TimeSpan.FromMilliseconds(100) && o.StaleAfter >= 2 * o.HeartbeatInterval,
                "OpsPortal:Deploys:StaleAfter must be at least twice HeartbeatInterval (at least 00:00:00.100).")
            .Validate(o => o.FlushInterval >= TimeSpan.FromMilliseconds(10) && o.FlushInterval <= TimeSpan.FromSeconds(5),
                "OpsPortal:Deploys:FlushInterval must be between 00:00:00.010 and 00:00:05.")
            .Validate(o => o.CancelGrace >= TimeSpan.Zero && o.CancelGrace <= TimeSpan.FromMinutes(5),
                "OpsPortal:Deploys:CancelGrace must be between 0 and 00:05:00.")
            .Validate(o => o.MaxLineLength is >= 80 and <= 1_000_000, "OpsPortal:Deploys:MaxLineLength must be between 80 and 1000000.")
            .ValidateOnStart();
        services.AddHttpClient(DeployWebhook.HttpClientName);
        services.AddSingleton<DeployConfigStore>();
        services.AddSingleton<RunnerIdentity>();
        services.AddSingleton<DeployVersions>();
        services.AddSingleton<DeployQueries>();
        services.AddSingleton<DeployWebhook>();
        services.AddSingleton<DeployTickets>();
        services.AddSingleton<DeployGuard>();
        services.AddSingleton<DeployStarter>();
        services.AddSingleton<DeployLocks>();
        services.AddTransient<DeployCompletion>();
        services.AddTransient<DeployJob>();
        services.AddSingleton<DeployOutputReader>();
        services.AddHostedService(sp => sp.GetRequiredService<DeployOutputReader>());
        return services;
    }

    /// <summary>Crash recovery runs where deploys run (processes with Hangfire workers).</summary>
    public static IServiceCollection AddDeployRecovery(this IServiceCollection services) =>
        services.AddHostedService<DeployRecovery>();
}
