using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.OnCall.Escalation;

/// <summary>The policy that pages for a service, and why: named by the catalog, the default, or none.</summary>
internal sealed record PolicyChoice(EscalationPolicy? Policy, string Reason);

/// <summary>Who is on call for a service now: the people its policy's first level pages, and the schedules they come from.</summary>
public sealed record OnCallForService(string Service, string? Policy, string Reason, IReadOnlyList<string> People, IReadOnlyList<OnCallNow> Schedules);

/// <summary>Escalation policies: writes (Engineers) with their events, and which policy pages for a service.</summary>
public sealed class EscalationPolicies(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock, ServiceCatalog catalog)
{
    public async Task<List<EscalationPolicy>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<EscalationPolicy>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
    }

    public async Task<Result<EscalationPolicy>> GetAsync(long id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<EscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) is { } p ? p : NotFound(id);
    }

    /// <summary>Creates (<paramref name="id"/> null) or changes a policy. Marking one default takes the mark from the previous default.</summary>
    public async Task<Result<EscalationPolicy>> SaveAsync(long? id, PolicyInput input, Actor actor, CancellationToken ct = default, bool demo = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing escalation policies needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var schedules = await db.Set<OnCallSchedule>().AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var channels = (await NotificationChannels.NamesAsync(db, null, ct)).Keys.ToHashSet();
        if (!PolicyRules.Check(input, schedules, channels, await PortalPeople.KnownAsync(db, ct)).TryGet(out var valid, out var refusal))
        {
            return refusal;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        EscalationPolicy? policy;
        if (id is { } existing)
        {
            policy = await db.Set<EscalationPolicy>().FromSql($"SELECT * FROM escalation_policies WHERE id = {existing} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (policy is null)
            {
                return NotFound(existing);
            }
            if (input.Version is { } version && version != policy.Version)
            {
                return Refusal.Conflict($"{policy.Name} was changed by {policy.UpdatedBy} (version {policy.Version}) after you opened version {version}.",
                    "Changed meanwhile").With("currentVersion", policy.Version);
            }
            policy.Version++;
        }
        else
        {
            policy = new EscalationPolicy { Name = valid.Name, CreatedBy = actor.Name, CreatedAt = now, UpdatedBy = actor.Name, IsDemo = demo };
            db.Add(policy);
        }
        (policy.Name, policy.Description, policy.Levels, policy.Repeat) = (valid.Name, valid.Description, valid.Levels, valid.Repeat);
        policy.UpdatedBy = actor.Name;
        policy.UpdatedAt = now;
        if (input.IsDefault is { } isDefault && isDefault != policy.IsDefault)
        {
            if (isDefault)
            {
                await db.Set<EscalationPolicy>().Where(p => p.IsDefault).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDefault, false), ct);
            }
            policy.IsDefault = isDefault;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"There is already an escalation policy named {valid.Name}.", "Name taken");
        }
        events.Append(db, actor.Name, id is null ? OnCallEventKinds.PolicyCreated : OnCallEventKinds.PolicyUpdated, OnCallEventKinds.PolicySubjectType,
            policy.Id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} {(id is null ? "created" : "changed")} escalation policy {policy.Name}: {Describe(policy, schedules)}", null,
            new { policy.Name, policy.Version, policy.Repeat, policy.IsDefault, levels = policy.Levels });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return policy;
    }

    public async Task<Result> DeleteAsync(long id, Actor actor, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing escalation policies needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<EscalationPolicy>().SingleOrDefaultAsync(p => p.Id == id, ct) is not { } policy)
        {
            return NotFound(id);
        }
        db.Remove(policy);
        events.Append(db, actor.Name, OnCallEventKinds.PolicyDeleted, OnCallEventKinds.PolicySubjectType, id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} deleted escalation policy {policy.Name}");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>The policy for <paramref name="service"/>: the one its catalog entry names, else the default, else none (with the reason).</summary>
    internal async Task<PolicyChoice> ForServiceAsync(OpsDbContext db, string? service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var named = service is null ? null : (await catalog.FindAsync(service, ct))?.EscalationPolicy;
        if (named is not null)
        {
            if (await db.Set<EscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Name == named, ct) is { } policy)
            {
                return new PolicyChoice(policy, $"{service} names the policy {named}");
            }
            var fallback = await db.Set<EscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.IsDefault, ct);
            return new PolicyChoice(fallback, $"{service} names the policy {named}, which does not exist"
                + (fallback is null ? ", and there is no default policy" : $"; the default policy {fallback.Name} pages instead"));
        }
        var byDefault = await db.Set<EscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.IsDefault, ct);
        return byDefault is null
            ? new PolicyChoice(null, $"no escalation policy applies to {service ?? "the subject"}: the service names none and no policy is the default")
            : new PolicyChoice(byDefault, $"{service ?? "the subject"} names no policy; the default policy {byDefault.Name} pages");
    }

    /// <summary>
    /// Who a page of <paramref name="service"/> would wake now: the first level of its policy — whoever is on call in
    /// its schedules, and its people. Empty (with the reason) when no policy applies.
    /// </summary>
    public async Task<OnCallForService> OnCallForAsync(string service, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var choice = await ForServiceAsync(db, service, ct);
        if (choice.Policy is not { Levels.Count: > 0 } policy)
        {
            return new OnCallForService(service, null, choice.Reason, [], []);
        }
        var first = policy.Levels[0].Targets;
        var scheduleIds = first.Where(t => t.Kind == EscalationTargetKind.Schedule).Select(t => t.ScheduleId!.Value).ToList();
        var schedules = scheduleIds.Count == 0 ? [] : await ScheduleService.NowAsync(db, scheduleIds, clock.GetUtcNow(), ct);
        var people = first.Where(t => t.Kind == EscalationTargetKind.Person).Select(t => t.Person!)
            .Concat(schedules.Where(s => s.Person is not null).Select(s => s.Person!)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new OnCallForService(service, policy.Name, choice.Reason, people, schedules);
    }

    /// <summary>The catalog's services that name each policy (for the policy list and the service page).</summary>
    public async Task<ILookup<string, string>> ServicesByPolicyAsync(CancellationToken ct = default) =>
        (await catalog.ListAsync(ct)).Where(s => s.EscalationPolicy is not null).ToLookup(s => s.EscalationPolicy!, s => s.Name, StringComparer.Ordinal);

    internal static string Describe(EscalationPolicy p, IReadOnlyDictionary<long, string> schedules) =>
        string.Join(" → ", p.Levels.Select((l, i) => $"{i + 1}: {string.Join(", ", l.Targets.Select(t => Describe(t, schedules)))} ({l.TimeoutMinutes} min)"))
        + (p.Repeat > 0 ? $", repeated {p.Repeat}×" : "");

    public static string Describe(EscalationTarget t, IReadOnlyDictionary<long, string> schedules) => t.Kind switch
    {
        EscalationTargetKind.Schedule => "schedule " + (t.ScheduleId is { } id && schedules.TryGetValue(id, out var n) ? n : $"#{t.ScheduleId}"),
        EscalationTargetKind.Person => t.Person ?? "?",
        _ => $"channel #{t.ChannelId}",
    };

    private static Refusal NotFound(long id) => Refusal.NotFound($"There is no escalation policy {id}.");
}
