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

    public string Name { get; }
    public string ConnectionString { get; }

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
        var options = new DbContextOptionsBuilder<OpsDbContext>();
        options.UseOpsNpgsql(For(name));
        await using (var db = new OpsDbContext(options.Options))
        {
            await db.Database.MigrateAsync();
        }
        // Installing Hangfire's schema once here spares every app instance in the tests from doing it.
        await using (var conn = new NpgsqlConnection(For(name)))
        {
            await conn.OpenAsync();
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(conn, "hangfire");
        }
        // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
        return name;
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
