namespace OpsPortal.Core.OnCall.Schedules;

/// <summary>A schedule as a person or script sends it (the API's body, the editor's model). <see cref="ScheduleRules"/> checks it.</summary>
/// <param name="Version">For an update: the version the change started from (a stale one is refused).</param>
public sealed record ScheduleInput(string? Name, string? Description, string? TimeZone, IReadOnlyList<LayerInput>? Layers, int? Version = null);

/// <param name="Rotation"><c>daily</c>, <c>weekly</c> or <c>custom</c> (with <paramref name="ShiftHours"/>).</param>
/// <param name="Start">The first hand-off in the schedule's zone, <c>2026-01-05T09:00</c> (no offset).</param>
/// <param name="People">Users (emails) in rotation order.</param>
public sealed record LayerInput(string? Name, string? Rotation, int? ShiftHours, string? Start, IReadOnlyList<string>? People, RestrictionInput? Restriction = null);

/// <param name="Days"><c>mon</c> … <c>sun</c> (or full names); empty or null: every day.</param>
/// <param name="From">Wall-clock <c>HH:mm</c>.</param>
/// <param name="To">Wall-clock <c>HH:mm</c>; at or before <paramref name="From"/>: past midnight.</param>
public sealed record RestrictionInput(IReadOnlyList<string>? Days, string? From, string? To);

/// <summary>An override as sent: <paramref name="Person"/> is on call for the schedule from <paramref name="StartsAt"/> to <paramref name="EndsAt"/>.</summary>
public sealed record OverrideInput(long? ScheduleId, string? Person, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Replaces = null, string? Reason = null);
