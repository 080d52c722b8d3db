using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// The versions a target offers, from its configured versions command (run like a deploy script,
/// through the <see cref="ProcessLauncher"/>: from the scripts folder, no shell, a cleared environment
/// with <c>OPS_SERVICE</c> and <c>OPS_ENVIRONMENT</c>). Only lines that are valid versions are offered;
/// results are kept for 30 s so opening the dialog does not run the command every time.
/// </summary>
public sealed partial class DeployVersions(TimeProvider clock, ProcessLauncher launcher, DeployConfigStore configs, ILogger<DeployVersions> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, VersionList List)> _cache = new();

    public sealed record VersionList(IReadOnlyList<string> Versions, string? Error);

    public async Task<VersionList> ListAsync(EnvironmentConfig target, CancellationToken ct = default)
    {
        if (target.VersionsCommand is not { } argv)
        {
            return new VersionList([], null);
        }
        var key = string.Join('\0', argv);
        if (_cache.TryGetValue(key, out var hit) && clock.GetUtcNow() - hit.At < CacheFor)
        {
            return hit.List;
        }
        var list = await RunAsync(target, argv, ct);
        if (list.Error is null)
        {
            _cache[key] = (clock.GetUtcNow(), list);
        }
        return list;
    }

    private async Task<VersionList> RunAsync(EnvironmentConfig target, IReadOnlyList<string> argv, CancellationToken ct)
    {
        var folder = target.ScriptsFolder;
        if (ScriptPath.Check(folder, Path.GetRelativePath(folder, argv[0]), out var program) is { } problem)
        {
            return new VersionList([], $"versions command {argv[0]} {problem}");
        }
        var spec = new ProcessSpec(program!, folder)
        {
            Arguments = [.. argv.Skip(1)],
            Environment = new Dictionary<string, string> { ["OPS_SERVICE"] = target.Service, ["OPS_ENVIRONMENT"] = target.Name },
            Timeout = Timeout,
            KillGrace = TimeSpan.FromSeconds(1),
            MaxCapturedBytes = 256 * 1024,
        };
        ProcessResult result;
        try
        {
            result = await launcher.RunAsync(spec, ct);
        }
        catch (ProcessLaunchException ex)
        {
            return new VersionList([], ex.Message);
        }
        if (result.Exit.TimedOut)
        {
            return new VersionList([], $"versions command took longer than {Timeout.TotalSeconds:0} s");
        }
        if (result.Exit.ExitCode != 0)
        {
            // Masked like deploy output, and only its first line: a page is no place for a script's whole complaint.
            var masker = new SecretMasker(configs.Current.Config?.Secrets ?? []);
            var detail = masker.Apply(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "");
            LogFailed(target.Service, target.Name, result.Exit.ExitCode, detail);
            return new VersionList([], $"versions command exited with {result.Exit.ExitCode}{(detail.Length > 0 ? ": " + detail[..Math.Min(200, detail.Length)] : "")}");
        }
        var versions = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(DeployVersion.IsValid).Distinct().Take(200).ToList();
        return new VersionList(versions, null);
    }

    [LoggerMessage(LogLevel.Warning, "The versions command of {Service}/{Environment} exited with {ExitCode}: {Detail}")]
    private partial void LogFailed(string service, string environment, int exitCode, string detail);
}
