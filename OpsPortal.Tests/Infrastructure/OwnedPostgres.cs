using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own (scripts/postgres.sh, as test.sh and run.sh make theirs), so
/// the test can stop and start it: an outage that other tests, on the shared server of
/// <c>OPSPORTAL_TEST_PG</c>, never see.
/// </summary>
public sealed class OwnedPostgres : IAsyncDisposable
{
    private readonly string _dir;

    private OwnedPostgres(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<OwnedPostgres> StartAsync()
    {
        // /tmp, opened for traversal: as root the server runs as `postgres`, which must reach the folder.
        var dir = Directory.CreateTempSubdirectory("opsportal-owned-pg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }
        var cluster = new OwnedPostgres(dir, FreePort());
        await cluster.ShellAsync("pg_ensure_server && pg_cluster_init \"$1/pg\" && pg_cluster_start \"$1/pg\" \"$2\" --fast", dir, cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return cluster;
    }

    /// <summary>A new database on this cluster, migrated like the portal's (`migrate`).</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var conn = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await conn.OpenAsync();
#pragma warning disable CA2100 // A name chosen by the test.
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
#pragma warning restore CA2100
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = ConnectionString(name);
        await TestDatabase.MigrateAsync(cs);
        NpgsqlConnection.ClearAllPools();
        return cs;
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = File.ReadAllText(Path.Combine(_dir, "pg", "superuser.password")).Trim(),
            Database = database,
        }.ConnectionString;

    /// <summary><c>pg_ctl stop -m fast</c>: every client is disconnected, nothing answers on the port.</summary>
    public Task StopAsync() => ShellAsync("pg_find_bin && pg_run pg_ctl stop --pgdata=\"$1/pg/data\" --mode=fast --wait --timeout=60 >/dev/null", _dir);

    /// <summary>Starts the stopped cluster again on its port; returns once it accepts connections.</summary>
    public Task StartAgainAsync() =>
        ShellAsync("pg_find_bin && pg_cluster_start \"$1/pg\" \"$2\" --fast", _dir, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ShellAsync("pg_find_bin && pg_cluster_stop \"$1/pg\"", _dir);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task ShellAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"set -euo pipefail; source \"{Path.Combine(RepoRoot(), "scripts", "postgres.sh")}\"; {script}");
        start.ArgumentList.Add("owned-postgres");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "postgres.sh")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("scripts/postgres.sh not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
