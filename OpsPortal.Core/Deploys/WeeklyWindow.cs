namespace OpsPortal.Core.Deploys;

/// <summary>
/// A weekly window kept in wall-clock time of one zone: the first occurrence's local start and end come back
/// every seven local days, whatever daylight saving did in between. A local time the spring change skips
/// (02:30 on the change day in Berlin) is the instant the clock jumps to (03:30 local); one the autumn change
/// repeats is its first occurrence. In UTC this is exactly "every 168 hours".
/// </summary>
internal readonly record struct WeeklyWindow(DateTimeOffset FirstStart, DateTimeOffset FirstEnd, TimeZoneInfo Zone)
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private DateTime LocalStart => TimeZoneInfo.ConvertTime(FirstStart, Zone).DateTime;

    private DateTime LocalEnd => TimeZoneInfo.ConvertTime(FirstEnd, Zone).DateTime;

    /// <summary>The week (0 = the first) whose local start is the last one at or before <paramref name="at"/>, by wall clock.</summary>
    public long WeekOf(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone).DateTime;
        var ticks = (local - LocalStart).Ticks;
        return ticks < 0 ? -1 : ticks / Week.Ticks;
    }

    /// <summary>The instants of the <paramref name="week"/>-th occurrence.</summary>
    public Occurrence Occurrence(long week) => week < 0
        ? new Occurrence(DateTimeOffset.MinValue, DateTimeOffset.MinValue)
        : new Occurrence(ToInstant(LocalStart.AddDays(7 * week), Zone), ToInstant(LocalEnd.AddDays(7 * week), Zone));

    /// <summary>The instant a wall-clock time of <paramref name="zone"/> names (skipped: after the jump; repeated: the first).</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Clocks jumped over it: read it with the offset in force just before the jump.
            var before = zone.GetUtcOffset(local.AddHours(-3));
            return new DateTimeOffset(local - before, TimeSpan.Zero);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local - offset, TimeSpan.Zero);
    }
}

internal readonly record struct Occurrence(DateTimeOffset From, DateTimeOffset Until)
{
    public bool Contains(DateTimeOffset at) => From <= at && at < Until;
}

/// <summary>The zones a lock may be kept in: IANA ids (Europe/Berlin), as the machine's time zone database knows them.</summary>
public static class DeployTimeZones
{
    /// <summary>The zone of an id, or null for null/empty (UTC) or an unknown id.</summary>
    public static TimeZoneInfo? Find(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;

    /// <summary>What is wrong with a zone id, or null (null/empty means UTC).</summary>
    public static string? Problem(string? id) =>
        string.IsNullOrWhiteSpace(id) || Find(id) is not null
            ? null
            : $"Unknown time zone “{id.Trim()}”: use an IANA name such as Europe/Berlin, America/New_York or UTC.";

    /// <summary>An instant as a person in the lock's zone reads it: "Fri 2027-03-26 18:00 Europe/Berlin".</summary>
    public static string Show(DateTimeOffset at, string? zoneId, string format = "ddd yyyy-MM-dd HH:mm", bool named = true)
    {
        var zone = Find(zoneId) ?? TimeZoneInfo.Utc;
        var text = TimeZoneInfo.ConvertTime(at, zone).ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        return named ? $"{text} {(zone == TimeZoneInfo.Utc ? "UTC" : zone.Id)}" : text;
    }

    /// <summary>The instant a wall-clock time typed in a zone names (null zone: UTC).</summary>
    public static DateTimeOffset FromLocal(DateTime local, string? zoneId) => WeeklyWindow.ToInstant(local, Find(zoneId) ?? TimeZoneInfo.Utc);
}
