using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Data;

/// <summary>Keys of the <see cref="NpgsqlDataSource"/>s beside the request pool (the unkeyed one); see <see cref="DatabaseConnections"/>.</summary>
public static class OpsDataSources
{
    /// <summary>Session state: LISTEN, session advisory locks. Inject with <c>[FromKeyedServices(OpsDataSources.Direct)]</c>.</summary>
    public const string Direct = "direct";

    /// <summary>Log search, stats and histograms (a replica when configured). Inject with <c>[FromKeyedServices(OpsDataSources.LogReads)]</c>.</summary>
    public const string LogReads = "log-reads";
}

public static class DataServiceCollectionExtensions
{
    internal static DbContextOptionsBuilder UseOpsNpgsql(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(StorableTextInterceptor.Instance);

    public static DbContextOptionsBuilder UseOpsNpgsql(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(StorableTextInterceptor.Instance);

    /// <summary>One database for everything, with the default pool sizes (tools and tests).</summary>
    internal static IServiceCollection AddOpsData(this IServiceCollection services, string connectionString) =>
        services.AddOpsData(new DatabaseConnections(connectionString));

    /// <summary>
    /// The database: the request pool (an <see cref="NpgsqlDataSource"/> for raw SQL and bulk work, shared
    /// by <see cref="OpsDbContext"/>), the direct and log-read pools (keyed, <see cref="OpsDataSources"/>),
    /// and the events spine that rides on them.
    /// </summary>
    public static IServiceCollection AddOpsData(this IServiceCollection services, DatabaseConnections connections)
    {
        services.AddSingleton(connections);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connections.RequestConnectionString));
        services.AddKeyedSingleton(OpsDataSources.Direct, (_, _) => NpgsqlDataSource.Create(connections.DirectConnectionString));
        services.AddKeyedSingleton(OpsDataSources.LogReads, (_, _) => NpgsqlDataSource.Create(connections.ReadConnectionString));
        // EF on the same pool as raw SQL: one budget for the request path, not two pools of one string.
        services.AddDbContextFactory<OpsDbContext>((sp, o) => o.UseOpsNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddDbContext<OpsDbContext>((sp, o) => o.UseOpsNpgsql(sp.GetRequiredService<NpgsqlDataSource>()), optionsLifetime: ServiceLifetime.Singleton);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BackgroundHealth>();
        services.AddSingleton<ReadReplica>();
        services.AddSingleton<EventLog>();
        services.AddSingleton<EventNotifier>();
        services.AddSingleton<EventListener>();
        services.AddHostedService(sp => sp.GetRequiredService<EventListener>());
        services.AddSingleton<EventFeed>();
        return services;
    }
}
