namespace OpsPortal.Core.Deploys;

/// <summary>
/// One run of a deploy or rollback script for a service and environment. Its output lines live in
/// <see cref="DeployOutputLine"/> rows; <see cref="LineCount"/> is how many there are.
/// </summary>
public class Deploy
{
    public long Id { get; set; }
    public required string Service { get; set; }
    public required string Environment { get; set; }

    /// <summary><c>deploy</c> or <c>rollback</c> (the <c>OPS_ACTION</c> the script sees).</summary>
    public required string Action { get; set; }
    public required string Version { get; set; }

    /// <summary>The version that was live before (the last successful deploy of this target).</summary>
    public string? PreviousVersion { get; set; }

    /// <summary>One of <see cref="DeployStatus"/>.</summary>
    public required string Status { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? ExitCode { get; set; }

    /// <summary>Why it ended the way it did, in words ("exit code 3", "timed out after 10m", "cancelled by …").</summary>
    public string? Outcome { get; set; }

    /// <summary>The script that runs, relative to the scripts folder.</summary>
    public required string Script { get; set; }
    public string? TicketKey { get; set; }

    /// <summary>For a rollback: the deploy it rolls back.</summary>
    public long? RollbackOf { get; set; }

    /// <summary>For a promotion: the environment whose version this deploy brings.</summary>
    public string? PromotedFrom { get; set; }
    public string? DiffUrl { get; set; }

    /// <summary>The app process running it (<see cref="Running.RunnerIdentity"/>), and its last sign of life: see <see cref="Running.DeployRecovery"/>.</summary>
    public string? Runner { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>The process group of the running script (on the runner's machine), set once it started.</summary>
    public int? ScriptGroup { get; set; }
    public string? CancelRequestedBy { get; set; }
    public long LineCount { get; set; }

    public bool IsActive => Status is DeployStatus.Queued or DeployStatus.Running;
    public TimeSpan? Duration => StartedAt is { } s && FinishedAt is { } f ? f - s : null;
}

public static class DeployStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Interrupted = "interrupted";

    public static readonly IReadOnlyList<string> All = [Queued, Running, Succeeded, Failed, Cancelled, Interrupted];
}

public static class DeployAction
{
    public const string Deploy = "deploy";
    public const string Rollback = "rollback";
}

/// <summary>One line a script printed, with when and on which stream. Keyed by (deploy, seq): seq counts from 1.</summary>
public class DeployOutputLine
{
    public long DeployId { get; set; }
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>True for stderr.</summary>
    public bool IsError { get; set; }
    public required string Text { get; set; }
}

/// <summary>
/// A lock on one environment of a service, or (<see cref="Everything"/> for both) a freeze of every
/// deploy. It holds from <see cref="StartsAt"/> until <see cref="ExpiresAt"/> (for ever when null);
/// with <see cref="RepeatsWeekly"/> that window comes back every seven days (a maintenance window).
/// Released by deleting the row; the events keep the history. Times are UTC.
/// </summary>
public class DeployLock
{
    public const string Everything = "*";
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public long Id { get; set; }
    public required string Service { get; set; }
    public required string Environment { get; set; }
    public required string Reason { get; set; }
    public required string LockedBy { get; set; }
    public DateTimeOffset LockedAt { get; set; }

    /// <summary>When it starts holding (the first time, for a weekly one); <see cref="LockedAt"/> for a lock set now.</summary>
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public bool RepeatsWeekly { get; set; }

    /// <summary>
    /// The IANA zone a weekly window is kept in (its wall-clock times come back every week across daylight saving
    /// changes, "Friday 18:00 Berlin" stays 18:00 in Berlin) and in which its times are shown; null: UTC.
    /// </summary>
    public string? TimeZone { get; set; }

    public bool IsFreeze => Service == Everything && Environment == Everything;

    /// <summary>A lock that starts later, or repeats: shown as a maintenance window.</summary>
    internal bool IsScheduled(DateTimeOffset now) => RepeatsWeekly || StartsAt > now;

    /// <summary>True while the lock holds at <paramref name="at"/>.</summary>
    internal bool HoldsAt(DateTimeOffset at)
    {
        if (at < StartsAt)
        {
            return false;
        }
        if (!RepeatsWeekly || ExpiresAt is null)
        {
            return ExpiresAt is null || at < ExpiresAt;
        }
        var window = Weekly;
        var week = window.WeekOf(at);
        return window.Occurrence(week - 1).Contains(at) || window.Occurrence(week).Contains(at);
    }

    /// <summary>When the lock holds next (now, if it holds), or null when it never will again.</summary>
    internal (DateTimeOffset From, DateTimeOffset? Until)? NextWindow(DateTimeOffset now)
    {
        if (!RepeatsWeekly || ExpiresAt is null)
        {
            return ExpiresAt is { } end && end <= now ? null : (StartsAt, ExpiresAt);
        }
        var window = Weekly;
        for (var week = Math.Max(0, window.WeekOf(now) - 1); ; week++)
        {
            var (from, until) = window.Occurrence(week);
            if (until > now)
            {
                return (from, until);
            }
        }
    }

    /// <summary>The next moment after <paramref name="now"/> this lock starts or stops holding, or null when it never changes again.</summary>
    internal DateTimeOffset? NextChange(DateTimeOffset now) =>
        NextWindow(now) is not { } window ? null : window.From > now ? window.From : window.Until;

    private WeeklyWindow Weekly => new(StartsAt, ExpiresAt!.Value, DeployTimeZones.Find(TimeZone) ?? TimeZoneInfo.Utc);
}
