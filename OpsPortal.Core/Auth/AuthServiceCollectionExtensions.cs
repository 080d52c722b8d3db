using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Auth;

public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAuthServices(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<UserPreferences>();
        services.AddScoped<UserAdminService>();
        services.AddTransient<TokenCleanupJob>();
        return services;
    }
}
