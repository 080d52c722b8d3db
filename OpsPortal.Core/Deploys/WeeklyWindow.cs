namespace OpsPortal.Core.Deploys;

/// <summary>
/// A weekly window kept in wall-clock time of one zone: the first occurrence's local start and end come back
/// every seven local days, whatever daylight saving did in between; change days are read as the on-call rotations
/// read them (<see cref="WallClock"/>: a skipped start begins when the clocks jump, a repeated one at its first
/// occurrence). In UTC this is exactly "every 168 hours".
/// </summary>
internal readonly record struct WeeklyWindow(DateTimeOffset FirstStart, DateTimeOffset FirstEnd, TimeZoneInfo Zone)
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private DateTime LocalStart => WallClock.ToWall(FirstStart, Zone);

    private DateTime LocalEnd => WallClock.ToWall(FirstEnd, Zone);

    /// <summary>The week (0 = the first) whose local start is the last one at or before <paramref name="at"/>, by wall clock.</summary>
    public long WeekOf(DateTimeOffset at)
    {
        var local = WallClock.ToWall(at, Zone);
        var ticks = (local - LocalStart).Ticks;
        return ticks < 0 ? -1 : ticks / Week.Ticks;
    }

    /// <summary>The instants of the <paramref name="week"/>-th occurrence.</summary>
    public Occurrence Occurrence(long week) => week < 0
        ? new Occurrence(DateTimeOffset.MinValue, DateTimeOffset.MinValue)
        : new Occurrence(WallClock.ToInstant(LocalStart.AddDays(7 * week), Zone), WallClock.ToInstant(LocalEnd.AddDays(7 * week), Zone));
}

internal readonly record struct Occurrence(DateTimeOffset From, DateTimeOffset Until)
{
    public bool Contains(DateTimeOffset at) => From <= at && at < Until;
}

/// <summary>The zones a lock may be kept in: IANA ids (Europe/Berlin), as the machine's time zone database knows them.</summary>
public static class DeployTimeZones
{
    /// <summary>The zone of an id, or null for null/empty (UTC) or an unknown id.</summary>
    internal static TimeZoneInfo? Find(string? id) => WallClock.Find(id);

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
    public static DateTimeOffset FromLocal(DateTime local, string? zoneId) => WallClock.ToInstant(local, Find(zoneId) ?? TimeZoneInfo.Utc);
}
