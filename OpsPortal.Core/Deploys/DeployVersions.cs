using System.Collections.Concurrent;
using System.Diagnostics;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// The versions a target offers, from its configured versions command (run like a deploy script:
/// directly, from the scripts folder, no shell). Only lines that are valid versions are offered;
/// results are kept for 30 s so opening the dialog does not run the command every time.
/// </summary>
public sealed class DeployVersions(TimeProvider clock)
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
        var list = await RunAsync(argv, target.ScriptsFolder, ct);
        if (list.Error is null)
        {
            _cache[key] = (clock.GetUtcNow(), list);
        }
        return list;
    }

    private static async Task<VersionList> RunAsync(IReadOnlyList<string> argv, string folder, CancellationToken ct)
    {
        if (ScriptPath.Check(folder, Path.GetRelativePath(folder, argv[0]), out _) is { } problem)
        {
            return new VersionList([], $"versions command {argv[0]} {problem}");
        }
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                var detail = (await error).Trim();
                return new VersionList([], $"versions command exited with {process.ExitCode}{(detail.Length > 0 ? ": " + detail[..Math.Min(200, detail.Length)] : "")}");
            }
            var versions = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(DeployVersion.IsValid).Distinct().Take(200).ToList();
            return new VersionList(versions, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return new VersionList([], $"versions command took longer than {Timeout.TotalSeconds:0} s");
        }
    }
}
