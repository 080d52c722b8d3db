using System.Globalization;
using System.Runtime.InteropServices;

namespace OpsPortal.Core.Processes;

/// <summary>One line of <c>/proc/[pid]/stat</c>: the fields the launcher and runner identity need.</summary>
/// <param name="StartTicks">When the process started, in clock ticks since boot (field 22): exact, and never the same for two processes of one pid.</param>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int GroupId, long StartTicks)
{
    public bool IsZombie => State is 'Z' or 'X';
}

/// <summary>
/// What Linux says about processes, read from <c>/proc</c>: exact start times, process groups, the
/// boot and the pid namespace (two pids are comparable only within one boot and one namespace), and
/// signals by libc <c>kill</c>. See docs/processes.md.
/// </summary>
internal static class ProcFs
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    private static readonly Lazy<string> BootIdValue = new(() => ReadTrimmed("/proc/sys/kernel/random/boot_id") ?? "unknown-boot");
    private static readonly Lazy<string> PidNamespaceValue = new(() =>
    {
        // "pid:[4026531836]": the inode of this process's pid namespace.
        var target = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
        var digits = new string([.. target.Where(char.IsAsciiDigit)]);
        return digits.Length > 0 ? digits : "unknown-ns";
    });

    // DllImport rather than LibraryImport: int arguments need no marshalling, and LibraryImport would
    // require unsafe code in the whole project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int KillNative(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>This boot of the kernel (<c>/proc/sys/kernel/random/boot_id</c>).</summary>
    public static string BootId => BootIdValue.Value;

    /// <summary>This process's pid namespace (containers on one host share the boot but not the namespace).</summary>
    public static string PidNamespace => PidNamespaceValue.Value;

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="groupId"/> (kill(-pgid)). Never to group 0 or 1.</summary>
    public static void SignalGroup(int groupId, int signal)
    {
        if (groupId > 1 && OperatingSystem.IsLinux())
        {
            _ = KillNative(-groupId, signal);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to one process.</summary>
    public static void Signal(int pid, int signal)
    {
        if (pid > 1 && OperatingSystem.IsLinux())
        {
            _ = KillNative(pid, signal);
        }
    }

    /// <summary>The process's stat line, or null when there is no such process (or it cannot be read).</summary>
    public static ProcStat? Stat(int pid)
    {
        try
        {
            return Parse(pid, File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every process visible in this namespace, as far as it could be read (processes come and go while we look).</summary>
    public static List<ProcStat> All()
    {
        var result = new List<ProcStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat)
            {
                result.Add(stat);
            }
        }
        return result;
    }

    /// <summary>Live (not zombie) members of process group <paramref name="groupId"/>.</summary>
    public static List<int> GroupMembers(int groupId) =>
        [.. All().Where(p => p.GroupId == groupId && !p.IsZombie).Select(p => p.Pid)];

    /// <summary>Every live process below <paramref name="root"/> (by parent ids).</summary>
    public static List<int> Descendants(int root)
    {
        var all = All().Where(p => !p.IsZombie).ToList();
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var parent = queue.Dequeue();
            foreach (var p in all.Where(p => p.ParentPid == parent && !result.Contains(p.Pid)))
            {
                result.Add(p.Pid);
                queue.Enqueue(p.Pid);
            }
        }
        return result;
    }

    internal static ProcStat? Parse(int pid, string stat)
    {
        // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
        // cutime cstime priority nice num_threads itrealvalue starttime …": comm may hold spaces and
        // parentheses, so the fields are counted from after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }
        var rest = stat[(close + 2)..].Split(' ');
        if (rest.Length < 20
            || !int.TryParse(rest[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid)
            || !int.TryParse(rest[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pgrp)
            || !long.TryParse(rest[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }
        return new ProcStat(pid, rest[0].Length > 0 ? rest[0][0] : '?', ppid, pgrp, start);
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
