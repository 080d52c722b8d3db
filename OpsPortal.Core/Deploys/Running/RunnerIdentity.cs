using System.Collections.Concurrent;
using System.Globalization;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>What a node can know about another runner's process.</summary>
internal enum RunnerLiveness
{
    /// <summary>Another host, boot or pid namespace (or an old record): only its heartbeat tells.</summary>
    Unknown,

    /// <summary>A process of this machine that exists, with the same start time: it runs.</summary>
    Alive,

    /// <summary>A process of this machine that no longer exists (or another one now has its pid).</summary>
    Dead,
}

/// <summary>
/// Names the app process that runs a deploy: <c>host/boot id/pid namespace/pid/start ticks/instance</c>.
/// The boot id and pid namespace say whether a pid can be checked from here at all (same kernel boot,
/// same container); the start time in clock ticks since boot (<c>/proc/[pid]/stat</c>, field 22) is
/// exact, so two processes compare it without rounding and a reused pid is never mistaken for the
/// old process. The instance tells apart several portals in one process (tests). Stored in
/// <see cref="Deploy.Runner"/>.
/// </summary>
public sealed class RunnerIdentity : IDisposable
{
    // The instances of this process that are up; an instance that was disposed is dead even though its process lives.
    private static readonly ConcurrentDictionary<string, byte> LiveInstances = new(StringComparer.Ordinal);

    private static readonly Lazy<long> SelfStartTicks = new(() => ProcFs.Stat(Environment.ProcessId)?.StartTicks ?? 0);

    private readonly string _instance = Guid.NewGuid().ToString("N");

    public RunnerIdentity()
    {
        Value = Format(Environment.MachineName, ProcFs.BootId, ProcFs.PidNamespace, Environment.ProcessId, SelfStartTicks.Value, _instance);
        LiveInstances[_instance] = 0;
    }

    public string Value { get; }

    /// <summary>Deploys this process is running now: alive by definition, whatever their heartbeat says.</summary>
    public ConcurrentDictionary<long, byte> Running { get; } = new();

    internal static string Format(string host, string bootId, string pidNamespace, int pid, long startTicks, string instance) =>
        string.Create(CultureInfo.InvariantCulture, $"{host}/{bootId}/{pidNamespace}/{pid}/{startTicks}/{instance}");

    /// <summary>Whether <paramref name="runner"/>'s process still runs, as far as this machine can tell.</summary>
    internal static RunnerLiveness Liveness(string? runner)
    {
        var parts = runner?.Split('/');
        if (parts is not { Length: 6 } || parts[1] != ProcFs.BootId || parts[2] != ProcFs.PidNamespace
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return RunnerLiveness.Unknown;
        }
        if (pid == Environment.ProcessId && ticks == SelfStartTicks.Value)
        {
            return LiveInstances.ContainsKey(parts[5]) ? RunnerLiveness.Alive : RunnerLiveness.Dead;
        }
        return ProcFs.Stat(pid) is { IsZombie: false } stat && stat.StartTicks == ticks ? RunnerLiveness.Alive : RunnerLiveness.Dead;
    }

    /// <summary>The app instance stops: its runs are no longer alive (they were stopped and recorded, or are to be recovered).</summary>
    public void Dispose() => LiveInstances.TryRemove(_instance, out _);
}
