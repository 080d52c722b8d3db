using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Auth;

public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddOpsAuthServices(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.MaxFailedSignIns is >= 1 and <= 100, "OpsPortal:Auth:MaxFailedSignIns must be between 1 and 100.")
            .Validate(o => o.LockoutDuration >= TimeSpan.FromMinutes(1), "OpsPortal:Auth:LockoutDuration must be at least 00:01:00.")
            .Validate(o => o.SignInsPerAddressPerMinute is >= 1 and <= 10_000 && o.SignInsPerAccountPerMinute is >= 1 and <= 10_000,
                "OpsPortal:Auth:SignInsPerAddressPerMinute and SignInsPerAccountPerMinute must be between 1 and 10000.")
            .ValidateOnStart();
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton(sp =>
        {
            var cache = new ApiTokenCache(sp.GetRequiredService<TimeProvider>());
            cache.ClearOn(sp.GetRequiredService<EventNotifier>());
            return cache;
        });
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<SignInService>();
        services.AddSingleton<UserSessions>();
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

        // Singletons (Identity would make them scoped): the sign-in check is a singleton service.
        services.AddSingleton<IPasswordHasher<AppUser>, PasswordHasher<AppUser>>();
        services.AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>();
        return services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                // Failed sign-ins and lockout are counted by SignInService (AuthOptions), atomically in one UPDATE.
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OpsDbContext>()
            .AddDefaultTokenProviders();
    }
}
