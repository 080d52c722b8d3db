using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Auth;

public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAuthServices(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<ApiTokenCache>();
        services.AddSingleton<UserPreferences>();
        services.AddScoped<UserAdminService>();
        services.AddTransient<TokenCleanupJob>();
        return services;
    }

    /// <summary>
    /// Identity with OpsPortal's rules, used by the web app and the command-line verbs alike, so a
    /// password the set-up step accepts is one the sign-in page accepts.
    /// </summary>
    public static IdentityBuilder AddOpsIdentityCore(this IServiceCollection services)
    {
        // Keys in the database: every app node can read every other node's cookies and tokens.
        services.AddDataProtection()
            .SetApplicationName("OpsPortal")
            .PersistKeysToDbContext<OpsDbContext>();

        return services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OpsDbContext>()
            .AddDefaultTokenProviders();
    }
}
