using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Data;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database for one test or one test class, cloned from a migrated template so
/// each costs a file copy, not a migration run. The server comes from <c>OPSPORTAL_TEST_PG</c>
/// (./test.sh starts one and sets it).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim CreateLock = new(1, 1);
    private static string? _template;

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>A database this class did not create (another cluster's); never dispose it.</summary>
    public static TestDatabase Existing(string name, string connectionString) => new(name, connectionString) { _pooled = false };

    // Databases of the shared test server are reachable through its pgbouncer; others (a cluster of a test's own) are not.
    private bool _pooled = true;

    public string Name { get; }

    /// <summary>Straight to PostgreSQL: for the tests' own SQL, and the app's sessions (LISTEN, locks).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// What the app's request path and log reads use: through pgbouncer in transaction mode when
    /// <c>OPSPORTAL_TEST_PGBOUNCER</c> names one (test.sh starts it, scripts/test-services.sh), so the
    /// whole suite runs the way a pooled production does; otherwise <see cref="ConnectionString"/>.
    /// </summary>
    public string AppConnectionString =>
        _pooled && Environment.GetEnvironmentVariable("OPSPORTAL_TEST_PGBOUNCER") is { Length: > 0 } pgbouncer
            ? new NpgsqlConnectionStringBuilder(ConnectionString)
            {
                Host = new NpgsqlConnectionStringBuilder(pgbouncer).Host,
                Port = new NpgsqlConnectionStringBuilder(pgbouncer).Port,
            }.ConnectionString
            : ConnectionString;

    /// <summary>The app's connections (request path maybe through pgbouncer, sessions direct), optionally named.</summary>
    public DatabaseConnections AppConnections(string? applicationName = null) =>
        new(Named(AppConnectionString, applicationName)) { Direct = Named(ConnectionString, applicationName) };

    private static string Named(string connectionString, string? applicationName) =>
        applicationName is null ? connectionString : new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("OPSPORTAL_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "Integration tests need PostgreSQL: run ./test.sh, or set OPSPORTAL_TEST_PG to an admin connection " +
                "string such as \"Host=127.0.0.1;Port=5432;Username=postgres;Password=…\".");

    public static async Task<TestDatabase> CreateAsync()
    {
        await CreateLock.WaitAsync();
        try
        {
            _template ??= await CreateTemplateAsync();
            var name = "test_" + Guid.NewGuid().ToString("N")[..16];
            await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{_template}\"");
            return new TestDatabase(name, For(name));
        }
        finally
        {
            CreateLock.Release();
        }
    }

    public OpsDbContext CreateContext()
    {
        var options = new DbContextOptionsBuilder<OpsDbContext>();
        options.UseOpsNpgsql(ConnectionString);
        return new OpsDbContext(options.Options);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    /// <summary>
    /// A database outage for this database only (the server is shared): refuses new connections and ends the open
    /// ones; <c>true</c> ends the outage.
    /// </summary>
    public async Task SetConnectionsAllowedAsync(bool allowed)
    {
        await ExecuteOnServerAsync($"ALTER DATABASE \"{Name}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}");
        if (!allowed)
        {
            await ExecuteOnServerAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}'");
        }
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var name = $"template_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..8]}";
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        await MigrateAsync(For(name));
        // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
        return name;
    }

    /// <summary>What `migrate` does: the portal's migrations and Hangfire's schema (which the serving portal never creates).</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        var options = new DbContextOptionsBuilder<OpsDbContext>();
        options.UseOpsNpgsql(connectionString);
        await using (var db = new OpsDbContext(options.Options))
        {
            await db.Database.MigrateAsync();
        }
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(conn, "hangfire");
    }

    private static string For(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(For("postgres"));
        await conn.OpenAsync();
#pragma warning disable CA2100 // Only generated database names, never input, reach this DDL (identifiers cannot be parameters).
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
    }
}
