using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Data;

public static class DataServiceCollectionExtensions
{
    public static DbContextOptionsBuilder UseOpsNpgsql(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(StorableTextInterceptor.Instance);

    /// <summary>
    /// The database: one <see cref="NpgsqlDataSource"/> for raw SQL and bulk work, the
    /// <see cref="OpsDbContext"/> for everything else, and the events spine that rides on both.
    /// </summary>
    public static IServiceCollection AddOpsData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddDbContextFactory<OpsDbContext>(o => o.UseOpsNpgsql(connectionString));
        services.AddDbContext<OpsDbContext>(o => o.UseOpsNpgsql(connectionString), optionsLifetime: ServiceLifetime.Singleton);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BackgroundHealth>();
        services.AddSingleton<EventLog>();
        services.AddSingleton<EventNotifier>();
        services.AddSingleton<EventListener>();
        services.AddHostedService(sp => sp.GetRequiredService<EventListener>());
        services.AddScoped<EventFeed>();
        return services;
    }
}
