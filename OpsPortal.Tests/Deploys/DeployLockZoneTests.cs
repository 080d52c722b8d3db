using OpsPortal.Core.Deploys;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// Weekly windows kept in a time zone: "every Saturday 01:00–04:00 Berlin" stays that by the Berlin clock across the
/// spring (2027-03-28, 02:00 → 03:00) and autumn (2027-10-31, 03:00 → 02:00) changes, where a UTC window would drift by an hour.
/// </summary>
public sealed class DeployLockZoneTests
{
    private const string Berlin = "Europe/Berlin";

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2027, month, day, hour, minute, 0, TimeSpan.Zero);

    private static DeployLock Weekly(DateTimeOffset starts, DateTimeOffset ends, string? zone) => new()
    {
        Service = "web",
        Environment = "production",
        Reason = "maintenance",
        LockedBy = "ann",
        LockedAt = starts.AddDays(-1),
        StartsAt = starts,
        ExpiresAt = ends,
        RepeatsWeekly = true,
        TimeZone = zone,
    };

    // Sunday 2027-03-21 01:00–04:00 Berlin (CET, +1) = 00:00–03:00 UTC; next Sunday is the spring change day.
    private static DeployLock SundayNight(string? zone = Berlin) => Weekly(Utc(3, 21, 0), Utc(3, 21, 3), zone);

    [Fact]
    public void HoldsAt_SpringChangeDay_KeepsBerlinWallClock_StartsAtOneEndsAtFourLocal()
    {
        var window = SundayNight();

        // 2027-03-28: 01:00 CET = 00:00 UTC; 04:00 CEST = 02:00 UTC (a two-hour window: the clocks skip 02:00–03:00).
        Assert.False(window.HoldsAt(Utc(3, 27, 23, 59)));
        Assert.True(window.HoldsAt(Utc(3, 28, 0)));
        Assert.True(window.HoldsAt(Utc(3, 28, 1, 59)));
        Assert.False(window.HoldsAt(Utc(3, 28, 2)));
        // The week after, in summer time: 01:00–04:00 CEST = 23:00 (Saturday) – 02:00 UTC.
        Assert.True(window.HoldsAt(Utc(4, 3, 23)));
        Assert.False(window.HoldsAt(Utc(4, 4, 2)));
        Assert.Equal((Utc(4, 3, 23), (DateTimeOffset?)Utc(4, 4, 2)), window.NextWindow(Utc(3, 30, 12)));
    }

    [Fact]
    public void HoldsAt_SameWindowInUtc_DriftsAnHourAgainstBerlin()
    {
        var utc = SundayNight(zone: null);

        Assert.True(utc.HoldsAt(Utc(4, 4, 2)));     // 04:00 Berlin: the Berlin window ended, the UTC one has not
        Assert.False(utc.HoldsAt(Utc(4, 3, 23)));   // 01:00 Berlin: the Berlin window began, the UTC one has not
    }

    [Fact]
    public void HoldsAt_AutumnChangeDay_KeepsBerlinWallClock_FourHoursLong()
    {
        // Sunday 2027-10-24 01:00–04:00 CEST = 23:00 (Sat) – 02:00 UTC. 2027-10-31 is the autumn change day.
        var window = Weekly(Utc(10, 23, 23), Utc(10, 24, 2), Berlin);

        // 2027-10-31: 01:00 CEST = 23:00 UTC (Sat 30th); 04:00 CET = 03:00 UTC (four hours: 02:00–03:00 comes twice).
        Assert.False(window.HoldsAt(Utc(10, 30, 22, 59)));
        Assert.True(window.HoldsAt(Utc(10, 30, 23)));
        Assert.True(window.HoldsAt(Utc(10, 31, 2, 59)));
        Assert.False(window.HoldsAt(Utc(10, 31, 3)));
        // In winter time: 01:00–04:00 CET = 00:00–03:00 UTC.
        Assert.Equal((Utc(11, 7, 0), (DateTimeOffset?)Utc(11, 7, 3)), window.NextWindow(Utc(11, 1, 12)));
    }

    [Fact]
    public void HoldsAt_WindowStartingInTheSkippedHour_StartsWhenTheClockJumps()
    {
        // Sunday 2027-03-21 02:30–05:00 CET; on 2027-03-28 02:30 does not exist in Berlin: the window starts at 03:00 CEST (01:00 UTC).
        var window = Weekly(Utc(3, 21, 1, 30), Utc(3, 21, 4), Berlin);

        Assert.False(window.HoldsAt(Utc(3, 28, 0, 59)));
        Assert.True(window.HoldsAt(Utc(3, 28, 1)));  // 03:00 CEST, the jump itself
        Assert.True(window.HoldsAt(Utc(3, 28, 1, 30)));
        Assert.False(window.HoldsAt(Utc(3, 28, 3)));  // 05:00 CEST
    }

    [Fact]
    public void Show_AndDescribe_ReadInTheLocksZone()
    {
        var window = SundayNight();

        Assert.Equal("Sun 2027-03-28 04:00 Europe/Berlin", DeployTimeZones.Show(Utc(3, 28, 2), Berlin));
        Assert.Equal("Sun 2027-03-28 02:00 UTC", DeployTimeZones.Show(Utc(3, 28, 2), null));
        Assert.Equal(" every week from Sun 01:00 to Sun 04:00 Europe/Berlin", DeployGuard.When(window, null));
    }

    [Theory]
    [InlineData("Mars/Olympus", "Unknown time zone “Mars/Olympus”")]
    [InlineData(Berlin, null)]
    [InlineData(null, null)]
    public void ScheduleProblem_ZoneMustBeKnown(string? zone, string? problem)
    {
        var said = DeployLocks.ScheduleProblem(new DeployLockSchedule(Utc(3, 21, 0), Utc(3, 21, 3), true, zone), Utc(3, 1, 0));

        if (problem is null)
        {
            Assert.Null(said);
        }
        else
        {
            Assert.StartsWith(problem, said, StringComparison.Ordinal);
        }
    }
}
