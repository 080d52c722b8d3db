using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Processes;

/// <summary>
/// A running process from <see cref="ProcessLauncher.StartAsync"/> and everything it starts: one
/// process group, whose id is <see cref="GroupId"/>. When it ends, nothing of it is left: processes it
/// left behind in the background are stopped too (a program that must outlive it has to leave the
/// group, e.g. through systemd). Dispose stops whatever still runs.
/// </summary>
public sealed partial class LaunchedProcess : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ProcessSpec _spec;
    private readonly Task _readers;
    private readonly ILogger _logger;
    private readonly long _started = Stopwatch.GetTimestamp();

    internal LaunchedProcess(Process process, ProcessSpec spec, Task readers, ILogger logger)
    {
        _process = process;
        _spec = spec;
        _readers = readers;
        _logger = logger;
        GroupId = process.Id;
    }

    /// <summary>The process group (and the pid of its leader); record it to find the run's processes later.</summary>
    public int GroupId { get; }

    /// <summary>
    /// Waits until the process exits (or <see cref="ProcessSpec.Timeout"/> passes: then it is stopped and
    /// <see cref="ProcessExit.TimedOut"/> is set), stops what it left running, and reads its output to the end.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled; the process still runs (call <see cref="TerminateAsync"/>).</exception>
    public async Task<ProcessExit> WaitAsync(CancellationToken ct)
    {
        var left = _spec.Timeout - Stopwatch.GetElapsedTime(_started);
        using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await _process.WaitForExitAsync(either.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            LogTimedOut(GroupId, _spec.Timeout.TotalSeconds);
            await TerminateAsync(_spec.KillGrace);
            return new ProcessExit(ExitCode(), TimedOut: true);
        }
        if (HasMembers())
        {
            LogLeftovers(GroupId);
            await TerminateAsync(_spec.KillGrace);
        }
        await DrainAsync();
        return new ProcessExit(ExitCode(), TimedOut: false);
    }

    /// <summary>SIGTERM to the whole group, SIGKILL to what is left after <paramref name="grace"/>; returns once none of it runs.</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        if (!IsGone())
        {
            // The leader directly too: in its first instant it may not have made its group yet.
            Signal(ProcFs.SigTerm);
            await WaitGoneAsync(grace);
            if (!IsGone())
            {
                Signal(ProcFs.SigKill);
                await WaitGoneAsync(TimeSpan.FromSeconds(10));
            }
        }
        await DrainAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsGone())
        {
            await TerminateAsync(TimeSpan.FromSeconds(2));
        }
        _process.Dispose();
    }

    private void Signal(int signal)
    {
        ProcFs.SignalGroup(GroupId, signal);
        try
        {
            if (!_process.HasExited)
            {
                ProcFs.Signal(_process.Id, signal);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private bool IsGone() => HasExited() && !HasMembers();

    private bool HasMembers() => OperatingSystem.IsLinux() && ProcFs.GroupMembers(GroupId).Count > 0;

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private async Task WaitGoneAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (!IsGone() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(Poll);
        }
    }

    /// <summary>The pipes close when the last process holding them ends; one that left the group may hold them on, so the wait is bounded.</summary>
    private Task DrainAsync() => Task.WhenAny(_readers, Task.Delay(DrainLimit));

    private int ExitCode()
    {
        try
        {
            return _process.HasExited ? _process.ExitCode : 128 + ProcFs.SigKill;
        }
        catch (InvalidOperationException)
        {
            return 128 + ProcFs.SigKill;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Process group {GroupId} ran past its {Seconds} s timeout; stopping it")]
    private partial void LogTimedOut(int groupId, double seconds);

    [LoggerMessage(LogLevel.Information, "Process group {GroupId}: its leader exited and left processes running; stopping them")]
    private partial void LogLeftovers(int groupId);
}
