using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OpsPortal.Core.Backups;

/// <summary>Where pg_dump and pg_restore are, and how a connection string becomes their environment (never their command line).</summary>
public sealed class PgTools(IOptions<BackupsOptions> options)
{
    internal string Program(string tool)
    {
        if (options.Value.PgBin is { Length: > 0 } bin)
        {
            return Path.Combine(bin, tool);
        }
        // The newest installed major version: pg_dump must be at least as new as the server it dumps.
        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Dir, "bin", tool)))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin", tool))
                .FirstOrDefault()
            : null;
        return newest ?? Path.Combine("/usr/bin", tool);
    }

    /// <summary>
    /// libpq's variables for a connection: the password travels as PGPASSWORD in the process's own environment
    /// (the launcher passes only named variables, and logs none of them), never as an argument.
    /// </summary>
    internal static Dictionary<string, string> Environment(string connectionString, string? database = null)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var env = new Dictionary<string, string>
        {
            ["PGHOST"] = b.Host ?? "localhost",
            ["PGPORT"] = b.Port.ToString(CultureInfo.InvariantCulture),
            ["PGDATABASE"] = database ?? b.Database ?? "postgres",
            ["PGAPPNAME"] = "opsportal-backups",
            ["PGCONNECT_TIMEOUT"] = "15",
        };
        if (b.Username is { Length: > 0 } user)
        {
            env["PGUSER"] = user;
        }
        if (b.Password is { Length: > 0 } password)
        {
            env["PGPASSWORD"] = password;
        }
        env["PGSSLMODE"] = b.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        return env;
    }

    /// <summary>The last lines a tool printed on stderr: the reason it failed, short enough for a page.</summary>
    internal static string Reason(string stderr, int exitCode, bool timedOut)
    {
        if (timedOut)
        {
            return "it took longer than its timeout and was stopped";
        }
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = string.Join(" ", lines.TakeLast(4));
        if (tail.Length > 1500)
        {
            tail = tail[^1500..];
        }
        return tail.Length == 0 ? $"exit code {exitCode}" : $"{tail} (exit code {exitCode})";
    }
}

/// <summary>A session advisory lock per target and kind of work, held on a connection of its own: a dead node's lock goes with its connection.</summary>
internal sealed class TargetLock : IAsyncDisposable
{
    public const int BackupKey = 0x4241_4b31;
    public const int DrillKey = 0x4241_4b32;

    private readonly NpgsqlConnection _connection;

    private TargetLock(NpgsqlConnection connection) => _connection = connection;

    public static async Task<TargetLock?> TryTakeAsync(NpgsqlDataSource direct, int key, long targetId, CancellationToken ct)
    {
        var conn = await direct.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, $2)", conn);
        cmd.Parameters.AddWithValue(key);
        cmd.Parameters.AddWithValue((int)targetId);
        if (await cmd.ExecuteScalarAsync(ct) is true)
        {
            return new TargetLock(conn);
        }
        await conn.DisposeAsync();
        return null;
    }

    /// <summary>True when nobody holds the lock (its runner is gone); checked without keeping it.</summary>
    public static async Task<bool> IsFreeAsync(NpgsqlDataSource direct, int key, long targetId, CancellationToken ct)
    {
        await using var taken = await TryTakeAsync(direct, key, targetId, ct);
        return taken is not null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", _connection);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the lock with it.
        }
        await _connection.DisposeAsync();
    }
}
