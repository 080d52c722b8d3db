namespace OpsPortal.Core.OnCall.Schedules;

/// <summary>A stretch of time with one person on call (or nobody: <see cref="Person"/> null).</summary>
/// <param name="Layer">The layer it comes from; null for an override or nobody.</param>
/// <param name="OverrideId">Set when an override put the person there.</param>
public sealed record ScheduleShift(DateTimeOffset From, DateTimeOffset To, string? Person, string? Layer, long? OverrideId);

/// <summary>
/// Who is on call when: pure functions of a schedule, its overrides and an instant, so they can be tested over
/// every daylight-saving change without a clock. Hand-offs are wall-clock times in the schedule's zone (a daily
/// 09:00 hand-off stays at 09:00 across DST; that shift is 23 or 25 hours long). Wall times the clocks skip or
/// repeat follow <see cref="WallClock.ToInstant"/>.
/// </summary>
internal static class RotationMaths
{
    /// <summary>The longest range one calendar or shift list covers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    /// <summary>The instant shift <paramref name="k"/> of <paramref name="layer"/> starts.</summary>
    public static DateTimeOffset ShiftStart(ScheduleLayer layer, long k, TimeZoneInfo zone) => WallClock.ToInstant(WallStart(layer, k), zone);

    /// <summary>The index of the shift under way at <paramref name="instant"/>; null before the layer starts.</summary>
    public static long? ShiftIndex(ScheduleLayer layer, DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var wall = WallClock.ToWall(instant, zone);
        var k = (long)Math.Floor((wall - layer.Start) / Length(layer));
        // The estimate from wall time can be one shift off next to a DST change: settle it on instants.
        while (ShiftStart(layer, k, zone) > instant)
        {
            k--;
        }
        while (ShiftStart(layer, k + 1, zone) <= instant)
        {
            k++;
        }
        return k < 0 ? null : k;
    }

    /// <summary>The person of <paramref name="layer"/> at <paramref name="instant"/>: null before it starts, outside its restriction, or without people.</summary>
    public static string? PersonAt(ScheduleLayer layer, DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.People.Count == 0 || ShiftIndex(layer, instant, zone) is not { } k)
        {
            return null;
        }
        if (layer.Restriction is { } restriction && !Covers(restriction, WallClock.ToWall(instant, zone)))
        {
            return null;
        }
        return layer.People[(int)(k % layer.People.Count)];
    }

    /// <summary>Whether a restriction covers a wall-clock time (a window past midnight belongs to the day it started).</summary>
    public static bool Covers(LayerRestriction restriction, DateTime wall)
    {
        ArgumentNullException.ThrowIfNull(restriction);
        var time = TimeOnly.FromDateTime(wall);
        if (restriction.From == restriction.To)
        {
            return restriction.Days.Contains(wall.DayOfWeek);
        }
        if (restriction.From < restriction.To)
        {
            return restriction.Days.Contains(wall.DayOfWeek) && time >= restriction.From && time < restriction.To;
        }
        return (restriction.Days.Contains(wall.DayOfWeek) && time >= restriction.From)
            || (restriction.Days.Contains(wall.AddDays(-1).DayOfWeek) && time < restriction.To);
    }

    /// <summary>
    /// Who is on call at <paramref name="instant"/>: the override covering it (the most recently made one when
    /// several do), else the highest layer (last in the list) that has someone then, else nobody.
    /// </summary>
    public static ScheduleShift? Resolve(OnCallSchedule schedule, IReadOnlyList<OnCallOverride> overrides, DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(overrides);
        var over = overrides.Where(o => o.StartsAt <= instant && instant < o.EndsAt)
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).FirstOrDefault();
        if (over is not null)
        {
            return new ScheduleShift(instant, instant, over.Person, null, over.Id);
        }
        for (var i = schedule.Layers.Count - 1; i >= 0; i--)
        {
            if (PersonAt(schedule.Layers[i], instant, zone) is { } person)
            {
                return new ScheduleShift(instant, instant, person, schedule.Layers[i].Name, null);
            }
        }
        return null;
    }

    /// <summary>
    /// The final schedule over [<paramref name="from"/>, <paramref name="to"/>): consecutive shifts, nobody included
    /// (Person null), each merged with the next when the same person holds both from the same source.
    /// </summary>
    public static List<ScheduleShift> Shifts(OnCallSchedule schedule, IReadOnlyList<OnCallOverride> overrides,
        DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(overrides);
        var points = new SortedSet<DateTimeOffset> { from, to };
        foreach (var layer in schedule.Layers)
        {
            AddChangePoints(points, layer, from, to, zone);
        }
        foreach (var o in overrides)
        {
            AddIfWithin(points, o.StartsAt, from, to);
            AddIfWithin(points, o.EndsAt, from, to);
        }
        return Merge(points, at => Resolve(schedule, overrides, at, zone));
    }

    /// <summary>One layer on its own over [<paramref name="from"/>, <paramref name="to"/>), for the calendar's layer rows.</summary>
    public static List<ScheduleShift> LayerShifts(ScheduleLayer layer, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var points = new SortedSet<DateTimeOffset> { from, to };
        AddChangePoints(points, layer, from, to, zone);
        return Merge(points, at => PersonAt(layer, at, zone) is { } p ? new ScheduleShift(at, at, p, layer.Name, null) : null);
    }

    private static List<ScheduleShift> Merge(SortedSet<DateTimeOffset> points, Func<DateTimeOffset, ScheduleShift?> at)
    {
        var shifts = new List<ScheduleShift>();
        var list = points.ToList();
        for (var i = 0; i + 1 < list.Count; i++)
        {
            var (start, end) = (list[i], list[i + 1]);
            var who = at(start);
            var shift = new ScheduleShift(start, end, who?.Person, who?.Layer, who?.OverrideId);
            if (shifts.Count > 0 && shifts[^1] is var last && last.Person == shift.Person && last.Layer == shift.Layer && last.OverrideId == shift.OverrideId)
            {
                shifts[^1] = last with { To = end };
            }
            else
            {
                shifts.Add(shift);
            }
        }
        return shifts;
    }

    /// <summary>Every instant in (from, to) where the layer's answer may change: hand-offs and restriction edges.</summary>
    private static void AddChangePoints(SortedSet<DateTimeOffset> points, ScheduleLayer layer, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var k = Math.Max(0, (ShiftIndex(layer, from, zone) ?? -1) + 1);
        for (var start = ShiftStart(layer, k, zone); start < to; start = ShiftStart(layer, ++k, zone))
        {
            AddIfWithin(points, start, from, to);
        }
        if (layer.Restriction is { } r)
        {
            var last = WallClock.ToWall(to, zone).Date.AddDays(1);
            for (var day = WallClock.ToWall(from, zone).Date.AddDays(-1); day <= last; day = day.AddDays(1))
            {
                AddIfWithin(points, WallClock.ToInstant(day + r.From.ToTimeSpan(), zone), from, to);
                AddIfWithin(points, WallClock.ToInstant(day + r.To.ToTimeSpan(), zone), from, to);
            }
        }
    }

    private static void AddIfWithin(SortedSet<DateTimeOffset> points, DateTimeOffset t, DateTimeOffset from, DateTimeOffset to)
    {
        if (t > from && t < to)
        {
            points.Add(t);
        }
    }

    private static DateTime WallStart(ScheduleLayer layer, long k) => layer.Rotation switch
    {
        RotationKind.Daily => layer.Start.AddDays(k),
        RotationKind.Weekly => layer.Start.AddDays(7 * k),
        _ => layer.Start.AddHours((double)k * (layer.ShiftHours ?? 24)),
    };

    private static TimeSpan Length(ScheduleLayer layer) => layer.Rotation switch
    {
        RotationKind.Daily => TimeSpan.FromDays(1),
        RotationKind.Weekly => TimeSpan.FromDays(7),
        _ => TimeSpan.FromHours(layer.ShiftHours ?? 24),
    };
}
