using OpsPortal.Core;
using OpsPortal.Core.OnCall.Schedules;

namespace OpsPortal.Tests.OnCall;

/// <summary>Who is on call when: hand-offs stay at the wall-clock time across the 2026/2027 DST changes, overrides win.</summary>
public sealed class RotationMathsTests
{
    private static readonly TimeZoneInfo Berlin = WallClock.Find("Europe/Berlin")!;
    private static readonly TimeZoneInfo NewYork = WallClock.Find("America/New_York")!;

    private static OnCallSchedule Schedule(params ScheduleLayer[] layers) =>
        new() { Name = "s", TimeZone = "Europe/Berlin", CreatedBy = "t", UpdatedBy = "t", Layers = [.. layers] };

    private static ScheduleLayer Weekly(DateTime start, params string[] people) =>
        new() { Name = "weekly", Rotation = RotationKind.Weekly, Start = start, People = [.. people] };

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public void PersonAt_WeeklyAcrossBerlinSpringForward_HandsOffAtNineLocal()
    {
        // Monday 09:00 hand-offs; summer time starts Sunday 2027-03-28 (CET +1 → CEST +2).
        var layer = Weekly(new DateTime(2027, 3, 22, 9, 0, 0), "ann", "bob");
        Assert.Equal(Utc(2027, 3, 22, 8), RotationMaths.ShiftStart(layer, 0, Berlin));
        Assert.Equal(Utc(2027, 3, 29, 7), RotationMaths.ShiftStart(layer, 1, Berlin)); // 09:00 CEST: a 167-hour shift
        Assert.Equal("ann", RotationMaths.PersonAt(layer, Utc(2027, 3, 29, 6, 59), Berlin));
        Assert.Equal("bob", RotationMaths.PersonAt(layer, Utc(2027, 3, 29, 7), Berlin));
        Assert.Null(RotationMaths.PersonAt(layer, Utc(2027, 3, 22, 7, 59), Berlin)); // before the layer starts
    }

    [Fact]
    public void PersonAt_DailyAcrossNewYorkFallBack_ShiftIs25Hours()
    {
        // 2026-11-01 02:00 EDT → 01:00 EST: the shift from Saturday 09:00 EDT to Sunday 09:00 EST lasts 25 hours.
        var layer = new ScheduleLayer { Name = "daily", Rotation = RotationKind.Daily, Start = new DateTime(2026, 10, 30, 9, 0, 0), People = ["ann", "bob", "cy"] };
        var saturday = RotationMaths.ShiftStart(layer, 1, NewYork);
        var sunday = RotationMaths.ShiftStart(layer, 2, NewYork);
        Assert.Equal((Utc(2026, 10, 31, 13), Utc(2026, 11, 1, 14)), (saturday, sunday));
        Assert.Equal(TimeSpan.FromHours(25), sunday - saturday);
        Assert.Equal("bob", RotationMaths.PersonAt(layer, Utc(2026, 11, 1, 13, 30), NewYork)); // 08:30 EST: still Saturday's shift
        Assert.Equal("cy", RotationMaths.PersonAt(layer, Utc(2026, 11, 1, 14), NewYork));
    }

    [Fact]
    public void ShiftStart_Custom12HoursAcrossBerlinFallBack_KeepsEightAndTwenty()
    {
        // 2026-10-25 03:00 CEST → 02:00 CET: the night shift 20:00 → 08:00 is 13 hours long.
        var layer = new ScheduleLayer { Name = "12h", Rotation = RotationKind.Custom, ShiftHours = 12, Start = new DateTime(2026, 10, 24, 8, 0, 0), People = ["ann", "bob"] };
        Assert.Equal(Utc(2026, 10, 24, 18), RotationMaths.ShiftStart(layer, 1, Berlin));
        Assert.Equal(Utc(2026, 10, 25, 7), RotationMaths.ShiftStart(layer, 2, Berlin));
        Assert.Equal(Utc(2026, 10, 25, 19), RotationMaths.ShiftStart(layer, 3, Berlin));
        Assert.Equal("bob", RotationMaths.PersonAt(layer, Utc(2026, 10, 25, 6, 59), Berlin));
        Assert.Equal("ann", RotationMaths.PersonAt(layer, Utc(2026, 10, 25, 7), Berlin));
    }

    [Fact]
    public void ShiftStart_HandOffInSkippedHour_IsWhenClocksJump()
    {
        // 02:30 does not exist in Berlin on 2027-03-28: the hand-off is at 03:00 CEST (01:00 UTC); the next day it is 02:30 again.
        var layer = new ScheduleLayer { Name = "d", Rotation = RotationKind.Daily, Start = new DateTime(2027, 3, 27, 2, 30, 0), People = ["ann", "bob"] };
        Assert.Equal(Utc(2027, 3, 28, 1), RotationMaths.ShiftStart(layer, 1, Berlin));
        Assert.Equal(Utc(2027, 3, 29, 0, 30), RotationMaths.ShiftStart(layer, 2, Berlin));
        Assert.Equal(0, RotationMaths.ShiftIndex(layer, Utc(2027, 3, 28, 0, 59), Berlin));
        Assert.Equal(1, RotationMaths.ShiftIndex(layer, Utc(2027, 3, 28, 1), Berlin));
    }

    [Fact]
    public void Resolve_OverrideCovers_OverrideWinsAndLatestOverrideWinsOverEarlier()
    {
        var schedule = Schedule(Weekly(new DateTime(2026, 11, 30, 9, 0, 0), "ann", "bob"));
        var tuesdayNight = new OnCallOverride
        {
            Id = 1,
            Person = "carol",
            Replaces = "ann",
            StartsAt = Utc(2026, 12, 1, 17),
            EndsAt = Utc(2026, 12, 2, 7),
            CreatedBy = "t",
            CreatedAt = Utc(2026, 11, 1, 0),
        };
        var later = new OnCallOverride { Id = 2, Person = "dan", StartsAt = Utc(2026, 12, 1, 23), EndsAt = Utc(2026, 12, 2, 1), CreatedBy = "t", CreatedAt = Utc(2026, 11, 2, 0) };
        OnCallOverride[] overrides = [tuesdayNight, later];
        Assert.Equal("ann", RotationMaths.Resolve(schedule, overrides, Utc(2026, 12, 1, 16, 59), Berlin)!.Person);
        Assert.Equal(("carol", (long?)1), (RotationMaths.Resolve(schedule, overrides, Utc(2026, 12, 1, 17), Berlin)!.Person,
            RotationMaths.Resolve(schedule, overrides, Utc(2026, 12, 1, 17), Berlin)!.OverrideId));
        Assert.Equal("dan", RotationMaths.Resolve(schedule, overrides, Utc(2026, 12, 2, 0), Berlin)!.Person);
        Assert.Equal("ann", RotationMaths.Resolve(schedule, overrides, Utc(2026, 12, 2, 7), Berlin)!.Person);

        var shifts = RotationMaths.Shifts(schedule, overrides, Utc(2026, 12, 1, 0), Utc(2026, 12, 8, 0), Berlin);
        Assert.Equal(["ann", "carol", "dan", "carol", "ann", "bob"], shifts.Select(s => s.Person!).ToArray());
        Assert.Equal(Utc(2026, 12, 7, 8), shifts[^1].From); // Monday 09:00 CET
    }

    [Fact]
    public void Resolve_NightLayerOverWeekly_HigherLayerOnlyInItsHours()
    {
        var nights = new ScheduleLayer
        {
            Name = "nights",
            Rotation = RotationKind.Weekly,
            Start = new DateTime(2026, 11, 30, 9, 0, 0),
            People = ["night-owl"],
            Restriction = new LayerRestriction { Days = [.. Enum.GetValues<DayOfWeek>()], From = new TimeOnly(22, 0), To = new TimeOnly(6, 0) },
        };
        var schedule = Schedule(Weekly(new DateTime(2026, 11, 30, 9, 0, 0), "ann", "bob"), nights);
        Assert.Equal("ann", RotationMaths.Resolve(schedule, [], Utc(2026, 12, 2, 20, 59), Berlin)!.Person); // 21:59 CET
        Assert.Equal("night-owl", RotationMaths.Resolve(schedule, [], Utc(2026, 12, 2, 21), Berlin)!.Person); // 22:00 CET
        Assert.Equal("night-owl", RotationMaths.Resolve(schedule, [], Utc(2026, 12, 3, 4, 59), Berlin)!.Person);
        Assert.Equal("ann", RotationMaths.Resolve(schedule, [], Utc(2026, 12, 3, 5), Berlin)!.Person);
    }
}
