namespace OpsPortal.Core.Backups;

internal static class DrillStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Passed = "passed";
    public const string Failed = "failed";

    public static bool IsActive(string status) => status is Queued or Running;
}

/// <summary>A restore drill: a backup restored into a scratch database, checked, timed step by step, then dropped.</summary>
public class BackupDrill
{
    public long Id { get; set; }
    public long TargetId { get; set; }
    public long BackupId { get; set; }
    public string Status { get; set; } = DrillStatus.Queued;
    public required string Trigger { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The measured recovery time: from the start until the restored copy passed its checks (the scratch's drop excluded).</summary>
    public double? RtoSeconds { get; set; }
    public List<DrillStep> Steps { get; set; } = [];
    public string? FailedStep { get; set; }
    public string? Error { get; set; }
}

/// <summary>One timed step of a drill; <see cref="Detail"/> says what it found (or why it failed).</summary>
public sealed class DrillStep
{
    public required string Name { get; set; }
    public string Status { get; set; } = "running";
    public DateTimeOffset StartedAt { get; set; }
    public double? Seconds { get; set; }
    public string? Detail { get; set; }
}
