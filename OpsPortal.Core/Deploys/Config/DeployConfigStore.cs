using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// The current deploy configuration, reloaded when the file changes. A file watcher triggers the
/// reload; every read also compares the file's time and size at most once a second, because watchers
/// miss changes on some file systems (network mounts, some container volumes). When an edit breaks the
/// file, the last good configuration stays in force and the problems are shown next to it.
/// </summary>
public sealed partial class DeployConfigStore : IDisposable
{
    private readonly string _path;
    private readonly ILogger<DeployConfigStore> _logger;
    private readonly TimeProvider _clock;
    private readonly FileSystemWatcher? _watcher;
    private readonly Lock _gate = new();
    private (DateTime Time, long Length)? _stamp;
    private long _checkedAt;
    private DeploySettingsSnapshot _snapshot;

    public DeployConfigStore(IOptions<DeployOptions> options, ILogger<DeployConfigStore> logger, TimeProvider clock)
    {
        _path = Path.GetFullPath(options.Value.ConfigPath);
        _logger = logger;
        _clock = clock;
        _snapshot = new DeploySettingsSnapshot(_path, null, []);
        Reload();
        var folder = Path.GetDirectoryName(_path)!;
        if (Directory.Exists(folder))
        {
            _watcher = new FileSystemWatcher(folder, Path.GetFileName(_path)) { EnableRaisingEvents = true };
            _watcher.Changed += (_, _) => ForceReload();
            _watcher.Created += (_, _) => ForceReload();
            _watcher.Renamed += (_, _) => ForceReload();
        }
    }

    /// <summary>Raised after a reload that changed the configuration or its problems.</summary>
    public event Action? Changed;

    public DeploySettingsSnapshot Current
    {
        get
        {
            var now = _clock.GetTimestamp();
            if (_clock.GetElapsedTime(Interlocked.Read(ref _checkedAt), now) > TimeSpan.FromSeconds(1))
            {
                Interlocked.Exchange(ref _checkedAt, now);
                if (Stamp() != _stamp)
                {
                    Reload();
                }
            }
            return _snapshot;
        }
    }

    private void ForceReload()
    {
        // Editors write in several steps; a short pause reads the finished file.
        Thread.Sleep(50);
        Reload();
    }

    private (DateTime, long)? Stamp()
    {
        var info = new FileInfo(_path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }

    private void Reload()
    {
        lock (_gate)
        {
            var stamp = Stamp();
            DeploySettingsSnapshot next;
            if (stamp is null)
            {
                next = new DeploySettingsSnapshot(_path, null,
                    [new ConfigProblem(_path, 0, "file not found; set OpsPortal:Deploys:ConfigPath or create it (see docs/deploys.md)")]);
            }
            else
            {
                string text;
                try
                {
                    text = File.ReadAllText(_path);
                }
                catch (IOException ex)
                {
                    LogReadFailed(ex, _path);
                    return;
                }
                var result = DeployConfigParser.Parse(text, _path);
                // Keep the last good configuration when an edit breaks the file; show what is wrong.
                next = new DeploySettingsSnapshot(_path, result.Config ?? _snapshot.Config, result.Problems);
                if (result.Problems.Count > 0)
                {
                    LogInvalid(_path, string.Join("; ", result.Problems));
                }
            }
            _stamp = stamp;
            var changed = !ReferenceEquals(next.Config, _snapshot.Config) || next.Problems.Count != _snapshot.Problems.Count;
            _snapshot = next;
            if (changed)
            {
                Changed?.Invoke();
            }
        }
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(LogLevel.Warning, "Deploy configuration {Path} could not be read")]
    private partial void LogReadFailed(Exception ex, string path);

    [LoggerMessage(LogLevel.Warning, "Deploy configuration {Path} has problems: {Problems}")]
    private partial void LogInvalid(string path, string problems);
}

/// <summary>What the portal deploys right now, and what is wrong with the file (empty when nothing).</summary>
public sealed record DeploySettingsSnapshot(string Path, DeployConfig? Config, IReadOnlyList<ConfigProblem> Problems);
