using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Stops a script and everything it started. A new process group would need setsid(2) between fork
/// and exec, which .NET does not offer without a shell; so the tree is found through /proc (parent
/// ids), each process is sent SIGTERM, and whatever is left after the grace period is killed with
/// <see cref="Process.Kill(bool)"/> on the whole tree. See ADR-012.
/// </summary>
internal static class ProcessTree
{
    private const int SigTerm = 15;

    // DllImport rather than LibraryImport: int arguments need no marshalling, and LibraryImport would
    // require unsafe code in the whole project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        if (HasExited(process))
        {
            return;
        }
        if (OperatingSystem.IsLinux())
        {
            foreach (var pid in Descendants(process.Id).Prepend(process.Id))
            {
                _ = Kill(pid, SigTerm);
            }
        }
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        // The script may be gone while a child it started lingers; kill whatever of the tree is left.
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        if (OperatingSystem.IsLinux())
        {
            foreach (var pid in Descendants(process.Id))
            {
                _ = Kill(pid, 9);
            }
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Every live process below <paramref name="root"/>, from /proc/[pid]/stat.</summary>
    internal static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(rest[1], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // The process ended while we looked.
            }
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var parent = queue.Dequeue();
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent && !result.Contains(pid))
                {
                    result.Add(pid);
                    queue.Enqueue(pid);
                }
            }
        }
        return result;
    }

    /// <summary>Whether a process with this id and start time still exists (a pid alone may have been reused).</summary>
    public static bool IsAlive(int pid, string? startTime)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return startTime is null || StartTime(p) == startTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public static string StartTime(Process p) => p.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
}
