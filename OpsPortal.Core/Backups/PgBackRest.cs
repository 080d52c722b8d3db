using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Backups;

/// <summary>One backup as <c>pgbackrest info</c> lists it.</summary>
internal sealed record PgBackRestBackup(string Label, string Type, DateTimeOffset Start, DateTimeOffset Stop, long RepoSize, long DatabaseSize, bool Error);

/// <summary>A stanza's state as <c>pgbackrest --output=json info</c> reports it: its backups (oldest first) and the PostgreSQL major version.</summary>
internal sealed record PgBackRestInfo(IReadOnlyList<PgBackRestBackup> Backups, string? Version);

/// <summary>
/// pgBackRest for a target's stanza: every command through the process launcher (no shell, arguments one by one, the
/// config by <c>--config</c>), as <see cref="BackupsOptions.PgBackRestUser"/> when one is set (runuser); and the drills'
/// scratch clusters: a restored data folder started on a Unix socket of its own, never archiving, then removed.
/// </summary>
public sealed class PgBackRest(ProcessLauncher launcher, PgTools tools, IOptions<BackupsOptions> options)
{
    internal const string ScratchPrefix = "drill-";

    /// <summary>The scratch clusters' folder (one sub-folder per drill).</summary>
    internal string ScratchFolder => options.Value.ScratchClusterFolder is { Length: > 0 } f ? f : Path.Combine(options.Value.Folder, "scratch");

    internal async Task BackupAsync(BackupTarget target, string type, CancellationToken ct)
    {
        var result = await RunAsync(target, [$"--type={type}", "backup"], options.Value.BackupTimeout, ct);
        if (result.Exit.ExitCode != 0 || result.Exit.TimedOut)
        {
            throw new BackupFailedException("pgbackrest backup failed: " + PgTools.Reason(result.Error + "\n" + result.Output, result.Exit.ExitCode, result.Exit.TimedOut));
        }
    }

    internal async Task<PgBackRestInfo> InfoAsync(BackupTarget target, CancellationToken ct)
    {
        var result = await RunAsync(target, ["--output=json", "info"], TimeSpan.FromMinutes(5), ct);
        if (result.Exit.ExitCode != 0 || result.Exit.TimedOut)
        {
            throw new BackupFailedException("pgbackrest info failed: " + PgTools.Reason(result.Error, result.Exit.ExitCode, result.Exit.TimedOut));
        }
        try
        {
            return ParseInfo(result.Output, target.Stanza!);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BackupFailedException($"pgbackrest info printed no stanza {target.Stanza} the portal can read: {ex.Message}", ex);
        }
    }

    internal static PgBackRestInfo ParseInfo(string json, string stanza)
    {
        using var doc = JsonDocument.Parse(json);
        var entry = doc.RootElement.EnumerateArray().First(s => s.GetProperty("name").GetString() == stanza);
        var backups = new List<PgBackRestBackup>();
        if (entry.TryGetProperty("backup", out var list))
        {
            foreach (var b in list.EnumerateArray())
            {
                var info = b.GetProperty("info");
                var stamp = b.GetProperty("timestamp");
                backups.Add(new PgBackRestBackup(
                    b.GetProperty("label").GetString()!,
                    b.GetProperty("type").GetString()!,
                    DateTimeOffset.FromUnixTimeSeconds(stamp.GetProperty("start").GetInt64()),
                    DateTimeOffset.FromUnixTimeSeconds(stamp.GetProperty("stop").GetInt64()),
                    info.GetProperty("repository").GetProperty("size").GetInt64(),
                    info.GetProperty("size").GetInt64(),
                    b.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.True));
            }
        }
        var version = entry.TryGetProperty("db", out var dbs) ? dbs.EnumerateArray().Select(d => d.GetProperty("version").GetString()).LastOrDefault() : null;
        return new PgBackRestInfo(backups, version);
    }

    /// <summary>
    /// The repository's folder (repo1-path, of the stanza's section or [global]; pgBackRest's default otherwise), read
    /// from the config: where a backup's files are, shown to Admins as its location.
    /// </summary>
    internal static string RepoPath(string configPath, string stanza)
    {
        string? section = null, global = null, own = null;
        foreach (var raw in File.ReadLines(configPath))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0 || line.StartsWith('#') || line[..eq].Trim() != "repo1-path")
            {
                continue;
            }
            var value = line[(eq + 1)..].Trim();
            if (section == "global")
            {
                global = value;
            }
            else if (section == stanza)
            {
                own = value;
            }
        }
        return own ?? global ?? "/var/lib/pgbackrest";
    }

    /// <summary>Restores backup <paramref name="label"/> into <paramref name="dataFolder"/> (created by pgbackrest), recovering to its end and promoting.</summary>
    internal async Task RestoreAsync(BackupTarget target, string label, string dataFolder, CancellationToken ct)
    {
        var result = await RunAsync(target,
            [$"--pg1-path={dataFolder}", $"--set={label}", "--type=immediate", "--target-action=promote", "--archive-mode=off", "restore"],
            options.Value.DrillTimeout, ct);
        if (result.Exit.ExitCode != 0 || result.Exit.TimedOut)
        {
            throw new BackupFailedException("pgbackrest restore failed: " + PgTools.Reason(result.Error + "\n" + result.Output, result.Exit.ExitCode, result.Exit.TimedOut));
        }
    }

    /// <summary>
    /// Starts PostgreSQL on a restored data folder: no TCP (a Unix socket inside the folder, trust for whoever can
    /// enter it: the portal and the cluster's user), archive_mode off so it never pushes WAL into the real repository,
    /// and waits until recovery reached the backup's end and the copy was promoted.
    /// </summary>
    internal async Task<ScratchCluster> StartAsync(string dataFolder, string? version, string user, CancellationToken ct)
    {
        var hba = Path.Combine(dataFolder, "opsportal_drill_hba.conf");
        await File.WriteAllTextAsync(hba, "local all all trust\n", ct);
        var conf = Path.Combine(dataFolder, "postgresql.conf");
        if (!File.Exists(conf))
        {
            // A Debian-style cluster keeps its configuration in /etc: the restored folder has none.
            await File.WriteAllTextAsync(conf, "", ct);
        }
        string[] settings =
        [
            "archive_mode=off", "listen_addresses=", $"unix_socket_directories={dataFolder}", "port=5432", $"hba_file={hba}",
            "ssl=off", "logging_collector=off", "log_destination=stderr", "cluster_name=opsportal-drill",
        ];
        var lines = new ConcurrentQueue<string>();
        var process = await launcher.StartAsync(Spec(Postgres(version), [.. settings.SelectMany(s => new[] { "-c", s }).Prepend(dataFolder).Prepend("-D")], options.Value.DrillTimeout), line =>
        {
            lines.Enqueue(line.Text);
            while (lines.Count > 20)
            {
                lines.TryDequeue(out _);
            }
            return ValueTask.CompletedTask;
        });
        var cluster = new ScratchCluster(process, dataFolder, lines);
        try
        {
            await cluster.WaitPromotedAsync(user, ct);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private string Postgres(string? version)
    {
        if (options.Value.PgBin is not { Length: > 0 } && version is { Length: > 0 } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            var own = $"/usr/lib/postgresql/{v}/bin/postgres";
            if (File.Exists(own))
            {
                return own;
            }
        }
        return tools.Program("postgres");
    }

    private Task<ProcessResult> RunAsync(BackupTarget target, string[] arguments, TimeSpan timeout, CancellationToken ct) =>
        launcher.RunAsync(Spec(options.Value.PgBackRest, [$"--config={target.PgBackRestConfig}", $"--stanza={target.Stanza}", "--log-level-console=warn", .. arguments], timeout), ct);

    /// <summary>The program itself, or through runuser as <see cref="BackupsOptions.PgBackRestUser"/>.</summary>
    private ProcessSpec Spec(string program, string[] arguments, TimeSpan timeout) =>
        options.Value.PgBackRestUser is { Length: > 0 } user
            ? new ProcessSpec("/usr/sbin/runuser", "/") { Arguments = ["-u", user, "--", program, .. arguments], Timeout = timeout, KillGrace = TimeSpan.FromSeconds(30) }
            : new ProcessSpec(program, "/") { Arguments = arguments, Timeout = timeout, KillGrace = TimeSpan.FromSeconds(30) };

    /// <summary>Stops the postmaster a crashed drill left running on <paramref name="dataFolder"/> (its pid is line 1 of postmaster.pid).</summary>
    internal static async Task StopLeftoverAsync(string dataFolder, CancellationToken ct)
    {
        var pidFile = Path.Combine(dataFolder, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse((await File.ReadAllLinesAsync(pidFile, ct)).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || ProcFs.Stat(pid) is null)
        {
            return;
        }
        ProcFs.Signal(pid, ProcFs.SigTerm);
        for (var i = 0; i < 100 && ProcFs.Stat(pid) is { IsZombie: false }; i++)
        {
            await Task.Delay(100, ct);
        }
        if (ProcFs.Stat(pid) is { IsZombie: false })
        {
            ProcFs.Signal(pid, ProcFs.SigKill);
        }
    }

    /// <summary>Removes a scratch data folder (the cluster is stopped first by its owner).</summary>
    internal static void Remove(string dataFolder)
    {
        if (Directory.Exists(dataFolder))
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }
}

/// <summary>A running scratch cluster of a drill; disposing it stops PostgreSQL (its whole process group).</summary>
internal sealed class ScratchCluster(LaunchedProcess process, string dataFolder, ConcurrentQueue<string> log) : IAsyncDisposable
{
    /// <summary>A connection string to <paramref name="database"/> of the copy, as <paramref name="user"/>, over its socket.</summary>
    public string ConnectionString(string user, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = dataFolder,
        Port = 5432,
        Username = user,
        Database = database,
        Pooling = false,
        CommandTimeout = 0,
    }.ConnectionString;

    public async Task WaitPromotedAsync(string user, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder { Host = dataFolder, Port = 5432, Username = user, Database = "postgres", Pooling = false, Timeout = 5 }.ConnectionString;
        var exited = process.WaitAsync(CancellationToken.None);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (exited.IsCompleted)
            {
                throw new BackupFailedException($"PostgreSQL stopped while recovering the copy: {Tail()} (exit code {(await exited).ExitCode})");
            }
            if (File.Exists(Path.Combine(dataFolder, ".s.PGSQL.5432")))
            {
                try
                {
                    await using var conn = new NpgsqlConnection(admin);
                    await conn.OpenAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
                    if (await cmd.ExecuteScalarAsync(ct) is false)
                    {
                        return;
                    }
                }
                catch (NpgsqlException)
                {
                    // Starting up (57P03) or recovering: ask again.
                }
            }
            await Task.Delay(200, ct);
        }
    }

    public string Tail() => string.Join(" ", log.TakeLast(4));

    public async ValueTask DisposeAsync()
    {
        // SIGTERM: no session is left, so PostgreSQL shuts down at once; SIGKILL to the group after the grace.
        await process.TerminateAsync(TimeSpan.FromSeconds(30));
        await process.DisposeAsync();
    }
}
