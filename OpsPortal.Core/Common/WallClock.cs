namespace OpsPortal.Core;

/// <summary>
/// Wall-clock times of a time zone and the instants they name. Two days a year a wall time names no instant or
/// two: a time the clocks skip (02:30 on the spring-forward night) is taken as the instant the clocks jump (03:00
/// local); a time they repeat (02:30 on the fall-back night) as its first occurrence (summer time). Both choices
/// keep later wall times at later-or-equal instants, which the rotation maths relies on.
/// </summary>
public static class WallClock
{
    public static DateTimeOffset ToInstant(DateTime wall, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            // Skipped: the first wall time after the gap (gaps are whole minutes, at most a few hours) is the jump.
            var after = wall.AddTicks(-(wall.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(1);
            for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(after); i++)
            {
                after = after.AddMinutes(1);
            }
            return new DateTimeOffset(after, zone.GetUtcOffset(after)).ToUniversalTime();
        }
        if (zone.IsAmbiguousTime(wall))
        {
            var first = zone.GetAmbiguousTimeOffsets(wall).Max();
            return new DateTimeOffset(wall, first).ToUniversalTime();
        }
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUniversalTime();
    }

    /// <summary>The wall-clock time in <paramref name="zone"/> at <paramref name="instant"/> (no offset).</summary>
    public static DateTime ToWall(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified);

    /// <summary>The zone for an IANA id (<c>Europe/Berlin</c>, <c>UTC</c>), or null when this machine does not know it.</summary>
    public static TimeZoneInfo? Find(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;
}
