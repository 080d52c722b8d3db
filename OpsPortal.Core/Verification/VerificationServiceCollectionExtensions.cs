using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Verification;

public static class VerificationServiceCollectionExtensions
{
    /// <summary>Deploy verification's reads and rounds (needs AddDeploys, AddLogs, AddServiceCatalog).</summary>
    public static IServiceCollection AddDeployVerification(this IServiceCollection services)
    {
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.Section)
            .Validate(o => o.Window >= TimeSpan.FromSeconds(10) && o.Window <= TimeSpan.FromHours(2), "OpsPortal:Verification:Window must be between 00:00:10 and 02:00:00.")
            .Validate(o => o.Bucket >= TimeSpan.FromSeconds(1) && o.Window / o.Bucket is >= 5 and <= 120,
                "OpsPortal:Verification:Bucket must be at least 00:00:01 and cut the window into 5 to 120 buckets.")
            .Validate(o => o.Warmup >= TimeSpan.Zero && o.Warmup <= TimeSpan.FromHours(1), "OpsPortal:Verification:Warmup must be between 0 and 01:00:00.")
            .Validate(o => o.Grace >= TimeSpan.Zero && o.Grace <= TimeSpan.FromMinutes(30), "OpsPortal:Verification:Grace must be between 0 and 00:30:00.")
            .Validate(o => o.Interval >= TimeSpan.FromMilliseconds(100) && o.Interval <= TimeSpan.FromMinutes(5), "OpsPortal:Verification:Interval must be between 00:00:00.100 and 00:05:00.")
            .Validate(o => o.MinRequests >= 1 && o.MinBuckets >= 3 && o.MinBucketRequests >= 1, "OpsPortal:Verification: MinRequests ≥ 1, MinBuckets ≥ 3, MinBucketRequests ≥ 1.")
            .Validate(o => o.Alpha is > 0 and < 0.5, "OpsPortal:Verification:Alpha must be between 0 and 0.5.")
            .Validate(o => o.MaxHosts is >= 0 and <= 50, "OpsPortal:Verification:MaxHosts must be between 0 and 50.")
            .ValidateOnStart();
        services.AddSingleton<DeployVerification>();
        services.AddSingleton<AutoRollback>();
        services.AddSingleton<DeployImpacts>();
        return services;
    }

    /// <summary>The judging loop runs where jobs run (like deploy crash recovery).</summary>
    public static IServiceCollection AddDeployVerifier(this IServiceCollection services) =>
        services.AddHostedService<DeployVerifierLoop>();
}
