using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Processes;

/// <summary>
/// The one way the portal starts a process (deploy and rollback scripts, versions commands, backups):
/// no shell, checked arguments, a cleared environment, output captured, and the whole process tree
/// stopped on timeout, on cancel and when the portal itself dies. See docs/processes.md.
/// </summary>
/// <remarks>
/// Every program runs as <c>setpriv --pdeathsig TERM -- timeout --kill-after=GRACE --signal=TERM LIMIT program args…</c>:
/// <c>timeout</c> (coreutils) puts itself and everything below it in a process group of its own and,
/// on SIGTERM, sends SIGTERM to that whole group, then SIGKILL after the grace; <c>setpriv</c>
/// (util-linux) gives it a parent-death signal, so the portal dying (even by SIGKILL) is such a
/// SIGTERM. LIMIT, a little over the spec's timeout, stops the group even if the portal hangs. The
/// process group id is the pid the portal sees, which is what deploy recovery records.
/// </remarks>
public sealed partial class ProcessLauncher(ILogger<ProcessLauncher> logger)
{
    /// <summary>The only variables of the portal's own environment that a process inherits.</summary>
    public static readonly IReadOnlyList<string> InheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "TMPDIR"];

    /// <summary>Lines longer than this (in characters) are delivered in pieces rather than buffered whole.</summary>
    internal const int MaxLineChars = 64 * 1024;

    private static readonly Lazy<(string? Setpriv, string? Timeout)> Supervisors = new(() => (Find("setpriv"), Find("timeout")));

    /// <summary>Starts the process; its lines go to <paramref name="onLine"/> (one at a time, stdout and stderr interleaved as read).</summary>
    /// <exception cref="ProcessLaunchException">The spec is invalid, or the program could not be started.</exception>
    public async Task<LaunchedProcess> StartAsync(ProcessSpec spec, Func<ProcessLine, ValueTask> onLine)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(onLine);
        if (spec.Problem() is { } problem)
        {
            throw new ProcessLaunchException($"Cannot run {spec.Program}: {problem}.");
        }
        var info = StartInfo(spec);
        Process process;
        try
        {
            process = await LauncherThread.StartAsync(info);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ProcessLaunchException($"{spec.Program} could not be started: {ex.Message}", ex);
        }
        process.StandardInput.Close();
        LogStarted(Path.GetFileName(spec.Program), process.Id);
        var gate = new SemaphoreSlim(1, 1);
        async Task Deliver(ProcessLine line)
        {
            // One line at a time, so a callback never runs twice at once.
            await gate.WaitAsync();
            try
            {
                await onLine(line);
            }
            finally
            {
                gate.Release();
            }
        }
        var readers = Task.WhenAll(
            ReadLinesAsync(process.StandardOutput, false, Deliver),
            ReadLinesAsync(process.StandardError, true, Deliver));
        return new LaunchedProcess(process, spec, readers, logger);
    }

    /// <summary>Runs the process to its end and returns what it printed (each stream up to <see cref="ProcessSpec.MaxCapturedBytes"/>).</summary>
    /// <exception cref="ProcessLaunchException">The spec is invalid, or the program could not be started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled; the process tree has been stopped.</exception>
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        var output = new Capture(spec.MaxCapturedBytes);
        var error = new Capture(spec.MaxCapturedBytes);
        await using var process = await StartAsync(spec, line =>
        {
            (line.IsError ? error : output).Add(line.Text);
            return ValueTask.CompletedTask;
        });
        ProcessExit exit;
        try
        {
            exit = await process.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            await process.TerminateAsync(spec.KillGrace);
            throw;
        }
        return new ProcessResult(exit, output.Text, error.Text, output.Truncated || error.Truncated);
    }

    private static ProcessStartInfo StartInfo(ProcessSpec spec)
    {
        var (setpriv, timeout) = Supervisors.Value;
        if (setpriv is null || timeout is null)
        {
            throw new ProcessLaunchException(
                "OpsPortal runs every process under setpriv (util-linux) and timeout (coreutils), and did not find " +
                $"{(setpriv is null ? "setpriv" : "timeout")} in PATH. Install util-linux and coreutils.");
        }
        var info = new ProcessStartInfo(setpriv)
        {
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        var grace = spec.KillGrace < ProcessSpec.MinGrace ? ProcessSpec.MinGrace : spec.KillGrace;
        // The launcher stops the process at Timeout itself (and says so); this limit only matters if the portal hangs.
        var limit = spec.Timeout + grace + TimeSpan.FromSeconds(30);
        foreach (var arg in (string[])["--pdeathsig", "TERM", "--", timeout, $"--kill-after={Seconds(grace)}", "--signal=TERM", Seconds(limit), spec.Program])
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in spec.Arguments)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }
        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }
        return info;
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(t.TotalMilliseconds) / 1000:0.###}s");

    /// <summary>Reads lines without ever holding an unbounded one: past <see cref="MaxLineChars"/> a line is delivered in pieces.</summary>
    private static async Task ReadLinesAsync(StreamReader reader, bool isError, Func<ProcessLine, Task> deliver)
    {
        var buffer = new char[8192];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }
                line.Append(buffer, start, i - start);
                await deliver(new ProcessLine(isError, TrimCr(line)));
                line.Clear();
                start = i + 1;
            }
            line.Append(buffer, start, read - start);
            while (line.Length >= MaxLineChars)
            {
                await deliver(new ProcessLine(isError, line.ToString(0, MaxLineChars)));
                line.Remove(0, MaxLineChars);
            }
        }
        if (line.Length > 0)
        {
            await deliver(new ProcessLine(isError, TrimCr(line)));
        }
    }

    private static string TrimCr(StringBuilder line) =>
        line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();

    private static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/bin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }

    [LoggerMessage(LogLevel.Debug, "Started {Program} as process group {GroupId}")]
    private partial void LogStarted(string program, int groupId);

    private sealed class Capture(int maxBytes)
    {
        private readonly StringBuilder _text = new();
        private int _bytes;

        public bool Truncated { get; private set; }

        public string Text => _text.ToString();

        public void Add(string line)
        {
            var size = Encoding.UTF8.GetByteCount(line) + 1;
            if (_bytes + size > maxBytes)
            {
                Truncated = true;
                return;
            }
            _bytes += size;
            _text.Append(line).Append('\n');
        }
    }

    /// <summary>
    /// Starts processes from one thread that lives as long as the portal: the parent-death signal fires
    /// when the thread that forked the child ends, not the process, and thread-pool threads do end.
    /// </summary>
    private static class LauncherThread
    {
        private static readonly BlockingCollection<Action> Work = [];
        private static readonly Thread Thread = Begin();

        public static Task<Process> StartAsync(ProcessStartInfo info)
        {
            _ = Thread;
            var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
            Work.Add(() =>
            {
                try
                {
                    started.SetResult(Process.Start(info) ?? throw new InvalidOperationException("the process did not start"));
                }
                catch (Exception ex)
                {
                    started.SetException(ex);
                }
            });
            return started.Task;
        }

        private static Thread Begin()
        {
            var thread = new Thread(() =>
            {
                foreach (var work in Work.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = "OpsPortal process launcher",
            };
            thread.Start();
            return thread;
        }
    }
}

public static class ProcessLauncherServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="ProcessLauncher"/>; every feature that starts processes calls it.</summary>
    public static IServiceCollection AddProcessLauncher(this IServiceCollection services)
    {
        services.TryAddSingleton<ProcessLauncher>();
        return services;
    }
}
