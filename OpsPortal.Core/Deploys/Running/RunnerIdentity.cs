using System.Diagnostics;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Names the app process that runs a deploy: host, pid and the process's start time (a pid alone may
/// be reused after a restart), plus an instance id for several portals in one process (tests).
/// Stored in <see cref="Deploy.Runner"/> so a restarted portal can tell its own dead runs at once.
/// </summary>
public sealed class RunnerIdentity
{
    public RunnerIdentity()
    {
        using var self = Process.GetCurrentProcess();
        Value = $"{Environment.MachineName}/{Environment.ProcessId}/{ProcessTree.StartTime(self)}/{Guid.NewGuid():N}";
    }

    public string Value { get; }

    /// <summary>True when <paramref name="runner"/> names a process on this host that no longer exists.</summary>
    public static bool IsDeadLocalProcess(string? runner)
    {
        var parts = runner?.Split('/');
        if (parts is not { Length: 4 } || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid))
        {
            return false;
        }
        return !ProcessTree.IsAlive(pid, parts[2]);
    }
}
