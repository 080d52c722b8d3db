using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.OnCall.Escalation;

namespace OpsPortal.Core.OnCall.Schedules;

/// <summary>Who is on call for one schedule now, until when, and who comes next.</summary>
public sealed record OnCallNow(long ScheduleId, string Schedule, string TimeZone, string? Person, string? Layer, long? OverrideId,
    DateTimeOffset? Until, string? Next, bool IsDemo);

/// <summary>The calendar of a schedule over a range: the final shifts, each layer's own, and the overrides.</summary>
public sealed record ScheduleCalendar(OnCallSchedule Schedule, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ScheduleShift> Final,
    IReadOnlyList<(string Layer, IReadOnlyList<ScheduleShift> Shifts)> Layers, IReadOnlyList<OnCallOverride> Overrides);

/// <summary>
/// Schedules and overrides: writes (Engineers) with their events, and the questions everyone asks — who is on call
/// now, and the calendar of the next weeks. A singleton, one context per operation (ADR-001).
/// </summary>
public sealed class ScheduleService(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock)
{
    public async Task<List<OnCallSchedule>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<OnCallSchedule>().AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
    }

    public async Task<Result<OnCallSchedule>> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<OnCallSchedule>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s ? s : NotFound(id);
    }

    public async Task<Result<OnCallSchedule>> CreateAsync(ScheduleInput input, Actor actor, CancellationToken ct = default, bool demo = false)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing schedules needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!ScheduleRules.Check(input, await PortalPeople.KnownAsync(db, ct)).TryGet(out var valid, out var refusal))
        {
            return refusal;
        }
        var now = clock.GetUtcNow();
        var schedule = new OnCallSchedule
        {
            Name = valid.Name,
            Description = valid.Description,
            TimeZone = valid.TimeZone,
            Layers = valid.Layers,
            IsDemo = demo,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedBy = actor.Name,
            UpdatedAt = now,
        };
        db.Add(schedule);
        if (await SaveUniqueAsync(db, ct, schedule.Name) is { } taken)
        {
            return taken;
        }
        events.Append(db, actor.Name, OnCallEventKinds.ScheduleCreated, OnCallEventKinds.ScheduleSubjectType, Id(schedule),
            $"{actor.Name} created on-call schedule {schedule.Name} ({schedule.TimeZone}, {Describe(schedule)})", null, Payload(schedule));
        await db.SaveChangesAsync(ct);
        return schedule;
    }

    public async Task<Result<OnCallSchedule>> UpdateAsync(long id, ScheduleInput input, Actor actor, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing schedules needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!ScheduleRules.Check(input, await PortalPeople.KnownAsync(db, ct)).TryGet(out var valid, out var refusal))
        {
            return refusal;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var schedule = await db.Set<OnCallSchedule>().FromSql($"SELECT * FROM oncall_schedules WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (schedule is null)
        {
            return NotFound(id);
        }
        if (input.Version is { } version && version != schedule.Version)
        {
            return Refusal.Conflict($"{schedule.Name} was changed by {schedule.UpdatedBy} (version {schedule.Version}) after you opened version {version}.",
                "Changed meanwhile").With("currentVersion", schedule.Version);
        }
        (schedule.Name, schedule.Description, schedule.TimeZone, schedule.Layers) = (valid.Name, valid.Description, valid.TimeZone, valid.Layers);
        schedule.Version++;
        schedule.UpdatedBy = actor.Name;
        schedule.UpdatedAt = clock.GetUtcNow();
        if (await SaveUniqueAsync(db, ct, schedule.Name) is { } taken)
        {
            return taken;
        }
        events.Append(db, actor.Name, OnCallEventKinds.ScheduleUpdated, OnCallEventKinds.ScheduleSubjectType, Id(schedule),
            $"{actor.Name} changed on-call schedule {schedule.Name} (version {schedule.Version}: {Describe(schedule)})", null, Payload(schedule));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return schedule;
    }

    /// <summary>Deletes a schedule and its overrides; refused while an escalation policy pages it.</summary>
    public async Task<Result> DeleteAsync(long id, Actor actor, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing schedules needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<OnCallSchedule>().SingleOrDefaultAsync(s => s.Id == id, ct) is not { } schedule)
        {
            return NotFound(id);
        }
        var users = (await db.Set<EscalationPolicy>().AsNoTracking().ToListAsync(ct))
            .Where(p => p.Levels.Any(l => l.Targets.Any(t => t.Kind == EscalationTargetKind.Schedule && t.ScheduleId == id))).Select(p => p.Name).ToList();
        if (users.Count > 0)
        {
            return Refusal.Conflict($"{schedule.Name} is paged by the escalation policies {string.Join(", ", users)}: take it out of them first.", "Schedule in use");
        }
        db.Remove(schedule);
        events.Append(db, actor.Name, OnCallEventKinds.ScheduleDeleted, OnCallEventKinds.ScheduleSubjectType, Id(schedule),
            $"{actor.Name} deleted on-call schedule {schedule.Name}");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    public async Task<Result<OnCallOverride>> AddOverrideAsync(OverrideInput input, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Overrides need the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var known = await PortalPeople.KnownAsync(db, ct);
        if (ScheduleRules.CheckOverride(input, known) is { } invalid)
        {
            return invalid;
        }
        if (await db.Set<OnCallSchedule>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == input.ScheduleId, ct) is not { } schedule)
        {
            return Refusal.InvalidField("scheduleId", $"There is no on-call schedule {input.ScheduleId}.", "The override is not valid");
        }
        var over = new OnCallOverride
        {
            ScheduleId = schedule.Id,
            Person = known[input.Person!.Trim()],
            Replaces = string.IsNullOrWhiteSpace(input.Replaces) ? null : known[input.Replaces.Trim()],
            StartsAt = input.StartsAt!.Value.ToUniversalTime(),
            EndsAt = input.EndsAt!.Value.ToUniversalTime(),
            Reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim(),
            CreatedBy = actor.Name,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(over);
        await db.SaveChangesAsync(ct);
        var zone = WallClock.Find(schedule.TimeZone) ?? TimeZoneInfo.Utc;
        events.Append(db, actor.Name, OnCallEventKinds.OverrideAdded, OnCallEventKinds.ScheduleSubjectType, Id(schedule),
            $"{actor.Name}: {over.Person} is on call for {schedule.Name} from {Local(over.StartsAt, zone)} to {Local(over.EndsAt, zone)}"
            + (over.Replaces is { } r ? $" instead of {r}" : "") + (over.Reason is { } why ? $" ({why})" : ""),
            null, new { overrideId = over.Id, over.Person, over.Replaces, over.StartsAt, over.EndsAt, over.Reason });
        await db.SaveChangesAsync(ct);
        return over;
    }

    public async Task<Result> RemoveOverrideAsync(long id, Actor actor, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Overrides need the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<OnCallOverride>().SingleOrDefaultAsync(o => o.Id == id, ct) is not { } over)
        {
            return Refusal.NotFound($"There is no override {id}.");
        }
        db.Remove(over);
        events.Append(db, actor.Name, OnCallEventKinds.OverrideRemoved, OnCallEventKinds.ScheduleSubjectType,
            over.ScheduleId.ToString(CultureInfo.InvariantCulture), $"{actor.Name} removed the override of {over.Person} ({over.StartsAt:u} – {over.EndsAt:u})",
            null, new { overrideId = over.Id });
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>Who is on call now in each schedule (all when <paramref name="scheduleIds"/> is null), until when, and who is next.</summary>
    public async Task<List<OnCallNow>> NowAsync(IReadOnlyCollection<long>? scheduleIds = null, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await NowAsync(db, scheduleIds, clock.GetUtcNow(), ct);
    }

    /// <summary>As <see cref="NowAsync(IReadOnlyCollection{long}?, CancellationToken)"/> at <paramref name="at"/>, on the caller's context (paging reads it in its transaction).</summary>
    internal static async Task<List<OnCallNow>> NowAsync(OpsDbContext db, IReadOnlyCollection<long>? scheduleIds, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var schedules = await db.Set<OnCallSchedule>().AsNoTracking()
            .Where(s => scheduleIds == null || scheduleIds.Contains(s.Id)).OrderBy(s => s.Name).ToListAsync(ct);
        var ids = schedules.Select(s => s.Id).ToList();
        var horizon = at + TimeSpan.FromDays(35);
        var overrides = (await db.Set<OnCallOverride>().AsNoTracking()
            .Where(o => ids.Contains(o.ScheduleId) && o.EndsAt > at && o.StartsAt < horizon).ToListAsync(ct)).ToLookup(o => o.ScheduleId);
        return schedules.Select(s => Now(s, [.. overrides[s.Id]], at, horizon)).ToList();
    }

    private static OnCallNow Now(OnCallSchedule schedule, List<OnCallOverride> overrides, DateTimeOffset at, DateTimeOffset horizon)
    {
        var zone = WallClock.Find(schedule.TimeZone) ?? TimeZoneInfo.Utc;
        // Merged by person: "Ann until Monday 09:00" even when an override of hers runs into her own shift.
        var shifts = RotationMaths.Shifts(schedule, overrides, at, horizon, zone);
        var current = shifts[0];
        var end = shifts.FindIndex(s => s.Person != current.Person);
        return new OnCallNow(schedule.Id, schedule.Name, schedule.TimeZone, current.Person, current.Layer, current.OverrideId,
            end < 0 ? null : shifts[end].From, end < 0 ? null : shifts[end].Person, schedule.IsDemo);
    }

    /// <summary>The calendar over [from, to) (at most <see cref="RotationMaths.MaxRange"/>).</summary>
    public async Task<Result<ScheduleCalendar>> CalendarAsync(long id, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        if (to <= from || to - from > RotationMaths.MaxRange)
        {
            return Refusal.Invalid($"The range must end after it starts and cover at most {RotationMaths.MaxRange.TotalDays:0} days.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<OnCallSchedule>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is not { } schedule)
        {
            return NotFound(id);
        }
        var overrides = await db.Set<OnCallOverride>().AsNoTracking()
            .Where(o => o.ScheduleId == id && o.EndsAt > from && o.StartsAt < to).OrderBy(o => o.StartsAt).ToListAsync(ct);
        var zone = WallClock.Find(schedule.TimeZone) ?? TimeZoneInfo.Utc;
        var layers = schedule.Layers.Select(l => (l.Name, (IReadOnlyList<ScheduleShift>)RotationMaths.LayerShifts(l, from, to, zone))).ToList();
        return new ScheduleCalendar(schedule, from, to, RotationMaths.Shifts(schedule, overrides, from, to, zone), layers, overrides);
    }

    private static async Task<Refusal?> SaveUniqueAsync(OpsDbContext db, CancellationToken ct, string name)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"There is already a schedule named {name}.", "Name taken");
        }
    }

    internal static string Describe(OnCallSchedule s) => string.Join("; ", s.Layers.Select(l =>
        $"{l.Name}: {(l.Rotation == RotationKind.Custom ? $"every {l.ShiftHours} h" : l.Rotation.ToString().ToLowerInvariant())} {string.Join(" → ", l.People)}"));

    private static object Payload(OnCallSchedule s) => new { s.Name, s.TimeZone, s.Version, layers = s.Layers };

    private static string Id(OnCallSchedule s) => s.Id.ToString(CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset t, TimeZoneInfo zone) =>
        WallClock.ToWall(t, zone).ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static Refusal NotFound(long id) => Refusal.NotFound($"There is no on-call schedule {id}.");
}
