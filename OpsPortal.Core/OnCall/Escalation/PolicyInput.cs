namespace OpsPortal.Core.OnCall.Escalation;

/// <summary>A policy as sent by the API or the editor; <see cref="PolicyRules"/> checks it.</summary>
public sealed record PolicyInput(string? Name, string? Description, IReadOnlyList<LevelInput>? Levels, int? Repeat = null, bool? IsDefault = null,
    int? Version = null);

public sealed record LevelInput(int? TimeoutMinutes, IReadOnlyList<TargetInput>? Targets);

/// <summary>
/// A target: <c>{"kind":"schedule","scheduleId":3}</c> (or <c>"schedule":"name"</c>), <c>{"kind":"user","person":"ann@example.com"}</c>,
/// or <c>{"kind":"channel","channelId":2}</c>.
/// </summary>
public sealed record TargetInput(string? Kind, long? ScheduleId = null, string? Schedule = null, string? Person = null, long? ChannelId = null);
