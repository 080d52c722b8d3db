namespace OpsPortal.Web.Common;

/// <summary>
/// One pending reload at a known moment (a maintenance window starting, a lock expiring): something that changes
/// with time alone raises no event, so a live page arms this after each load. Arming again replaces the
/// pending one; a moment already past fires at once (after a short slack, so the next read sees the change).
/// </summary>
public sealed class BoundaryTimer : IDisposable
{
    /// <summary>Read a little after the boundary, not on it: the lock's rule uses "from ≤ now &lt; until".</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    /// <summary>Timers cannot wait for ever; a farther boundary is re-checked after this long.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private ITimer? _timer;

    public void Arm(TimeProvider clock, DateTimeOffset? at, Func<Task> onDue)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(onDue);
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (at is not { } when)
            {
                return;
            }
            var due = when - clock.GetUtcNow() + Slack;
            due = due < Slack ? Slack : due > Longest ? Longest : due;
            _timer = clock.CreateTimer(_ => _ = onDue(), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}
