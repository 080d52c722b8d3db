using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.Alerts;

/// <summary>An alert as lists show it: the instance, its rule, and whether a silence holds it now.</summary>
public sealed record AlertView(AlertInstance Instance, AlertRule Rule, bool Silenced);

/// <summary>Rules, acknowledgements and silences. Callers checked the role (Viewers read, Engineers write); every write records its event.</summary>
public sealed class AlertService(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock, IOptions<AlertsOptions> options,
    ServiceCatalog catalog, OnCall.Paging.Paging paging)
{
    public async Task<List<AlertRule>> ListRulesAsync(string? service, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.AlertRules.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(service))
        {
            q = q.Where(r => r.Service == service);
        }
        return await q.OrderBy(r => r.Name).ToListAsync(ct);
    }

    public async Task<Result<AlertRule>> GetRuleAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } rule ? rule : NoRule(id);
    }

    public async Task<Result<AlertRule>> CreateAsync(AlertRuleRequest request, Actor actor, CancellationToken ct)
    {
        if (!(await CheckAsync(request, ct)).TryGet(out var r, out var refusal))
        {
            return refusal;
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.AlertRules.AnyAsync(x => x.Name == r.Name, ct))
        {
            return Refusal.Conflict($"A rule named '{r.Name}' exists already.", "Name taken");
        }
        var now = clock.GetUtcNow();
        var rule = new AlertRule { Name = r.Name!, Service = r.Service!, CreatedBy = actor.Name, CreatedAt = now, UpdatedAt = now, NextRunAt = now };
        Copy(r, rule);
        db.AlertRules.Add(rule);
        await db.SaveChangesAsync(ct);
        Append(db, actor, AlertEventKinds.RuleCreated, rule, $"{actor.Name} created alert rule {rule.Name} on {rule.Service}");
        await db.SaveChangesAsync(ct);
        return rule;
    }

    public async Task<Result<AlertRule>> UpdateAsync(long id, AlertRuleRequest request, Actor actor, CancellationToken ct)
    {
        if (!(await CheckAsync(request, ct)).TryGet(out var r, out var refusal))
        {
            return refusal;
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (rule is null)
        {
            return NoRule(id);
        }
        if (r.Version is { } v && v != rule.Version)
        {
            return Refusal.Conflict($"Someone saved rule {rule.Name} since you opened it (version {rule.Version}, yours {v}). Reload and apply your change again.", "Changed meanwhile")
                .With("currentVersion", rule.Version);
        }
        if (r.Name != rule.Name && await db.AlertRules.AnyAsync(x => x.Name == r.Name && x.Id != id, ct))
        {
            return Refusal.Conflict($"A rule named '{r.Name}' exists already.", "Name taken");
        }
        var kindChanged = rule.Kind != r.Kind || rule.Spec.GroupBy != r.Spec!.GroupBy;
        rule.Name = r.Name!;
        rule.Service = r.Service!;
        Copy(r, rule);
        rule.Version++;
        rule.UpdatedAt = clock.GetUtcNow();
        rule.NextRunAt = rule.UpdatedAt;
        if (kindChanged)
        {
            // Instances of another kind or grouping mean nothing for the new definition.
            await db.AlertInstances.Where(i => i.RuleId == id).ExecuteDeleteAsync(ct);
        }
        Append(db, actor, AlertEventKinds.RuleUpdated, rule, $"{actor.Name} changed alert rule {rule.Name}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Refusal.Conflict($"Someone saved rule {rule.Name} at the same moment. Reload and apply your change again.", "Changed meanwhile");
        }
        return rule;
    }

    public async Task<Result> DeleteAsync(long id, Actor actor, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (rule is null)
        {
            return NoRule(id);
        }
        db.AlertRules.Remove(rule);
        Append(db, actor, AlertEventKinds.RuleDeleted, rule, $"{actor.Name} deleted alert rule {rule.Name}");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>Current alerts: every instance not OK (or only firing ones), worst first, with silence and rule.</summary>
    public async Task<List<AlertView>> ListAlertsAsync(bool includeOk, string? service, long? ruleId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = from i in db.AlertInstances.AsNoTracking()
                join r in db.AlertRules.AsNoTracking() on i.RuleId equals r.Id
                select new { i, r };
        if (!includeOk)
        {
            q = q.Where(x => x.i.HardState != AlertState.Ok || x.i.State != AlertState.Ok || x.i.Flapping);
        }
        if (!string.IsNullOrWhiteSpace(service))
        {
            q = q.Where(x => x.r.Service == service);
        }
        if (ruleId is { } rid)
        {
            q = q.Where(x => x.r.Id == rid);
        }
        var rows = await q.Take(2_000).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.StartsAt <= now && s.EndsAt > now).ToListAsync(ct);
        return [.. rows
            .Select(x => new AlertView(x.i, x.r, silences.Any(s => SilenceMatching.Matches(s, x.r, x.i.GroupKey, x.i.HardState, now))))
            .OrderByDescending(a => a.Instance.HardState == AlertState.Ok ? 0 : a.Instance.HardState == AlertState.Warning ? 1 : a.Instance.HardState == AlertState.Unknown ? 2 : 3)
            .ThenBy(a => a.Instance.Since)];
    }

    /// <summary>Acknowledges a firing alert: no repeated notifications until it recovers.</summary>
    public async Task<Result<AlertInstance>> AcknowledgeAsync(long instanceId, string? comment, Actor actor, CancellationToken ct)
    {
        comment = comment?.Trim() ?? "";
        if (comment.Length > 2000)
        {
            return Refusal.InvalidField("comment", "The comment is at most 2000 characters.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        // A transaction: the alert's page (if any) is locked and acknowledged with it.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var instance = await db.AlertInstances.SingleOrDefaultAsync(i => i.Id == instanceId, ct);
        if (instance is null)
        {
            return Refusal.NotFound($"There is no alert {instanceId}.");
        }
        if (instance.HardState == AlertState.Ok)
        {
            return Refusal.Conflict("The alert is not firing: there is nothing to acknowledge.", "Not firing");
        }
        if (instance.AcknowledgedAt is not null)
        {
            return instance;
        }
        var rule = await db.AlertRules.SingleAsync(r => r.Id == instance.RuleId, ct);
        instance.AcknowledgedAt = clock.GetUtcNow();
        instance.AcknowledgedBy = actor.Name;
        instance.AckComment = comment.Length == 0 ? null : comment;
        AlertRoundWriter.Record(events, db, rule, instance, AlertEventKinds.Acknowledged, instance.HardState, instance.HardState, instance.AcknowledgedAt.Value,
            $"{actor.Name} acknowledged {AlertRoundWriter.Title(rule, instance)}" + (comment.Length > 0 ? $": {comment}" : ""),
            new { group = instance.GroupKey, comment }, actor.Name);
        await paging.AcknowledgeSubjectAsync(db, AlertPageSubject.SubjectType, instance.Id.ToString(CultureInfo.InvariantCulture), actor, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return instance;
    }

    public async Task<List<AlertTransition>> HistoryAsync(long ruleId, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.AlertTransitions.AsNoTracking().Where(t => t.RuleId == ruleId).OrderByDescending(t => t.At).ThenByDescending(t => t.Id)
            .Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    public async Task<List<AlertSample>> SamplesAsync(long ruleId, DateTimeOffset from, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.AlertSamples.AsNoTracking().Where(s => s.RuleId == ruleId && s.At >= from).OrderBy(s => s.At).Take(20_000).ToListAsync(ct);
    }

    public async Task<List<AlertSilence>> ListSilencesAsync(bool includeExpired, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var q = db.AlertSilences.AsNoTracking();
        if (!includeExpired)
        {
            q = q.Where(s => s.EndsAt > now);
        }
        return await q.OrderByDescending(s => s.EndsAt).Take(500).ToListAsync(ct);
    }

    public async Task<Result<AlertSilence>> CreateSilenceAsync(SilenceRequest request, Actor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var matchers = (request.Matchers ?? []).Select(m => new SilenceMatcher(m.Name?.Trim().ToLowerInvariant() ?? "", m.Value?.Trim() ?? "")).ToList();
        if (matchers.Count is 0 or > 20 || matchers.Any(m => m.Name.Length is 0 or > 50 || m.Value.Length is 0 or > 200))
        {
            errors["matchers"] = "A silence needs 1 to 20 matchers, each a name (service, rule, group, severity or a label) and a value (* matches anything).";
        }
        var starts = request.StartsAt ?? now;
        var ends = request.EndsAt ?? (request.DurationMinutes is { } d ? starts.AddMinutes(d) : default);
        if (ends == default || ends <= starts || ends <= now || ends - starts > TimeSpan.FromDays(90))
        {
            errors["endsAt"] = "A silence ends after it starts and after now, at most 90 days later (give endsAt or durationMinutes).";
        }
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > 2000)
        {
            errors["reason"] = "Say why (1 to 2000 characters): the next person on call will read it.";
        }
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors, "The silence is not valid");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var silence = new AlertSilence { Matchers = matchers, StartsAt = starts, EndsAt = ends, Reason = reason, CreatedBy = actor.Name, CreatedAt = now };
        db.AlertSilences.Add(silence);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, AlertEventKinds.SilenceCreated, AlertEventKinds.SilenceSubjectType, silence.Id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} silenced {Describe(matchers)} until {ends.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {reason}", Service(matchers),
            new { matchers, startsAt = starts, endsAt = ends, reason });
        await db.SaveChangesAsync(ct);
        return silence;
    }

    /// <summary>Ends a silence now; it stays in the history as expired.</summary>
    public async Task<Result<AlertSilence>> EndSilenceAsync(long id, Actor actor, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var silence = await db.AlertSilences.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (silence is null)
        {
            return Refusal.NotFound($"There is no silence {id}.");
        }
        var now = clock.GetUtcNow();
        if (silence.EndsAt <= now)
        {
            return silence;
        }
        silence.EndsAt = now < silence.StartsAt ? silence.StartsAt : now;
        silence.EndedBy = actor.Name;
        events.Append(db, actor.Name, AlertEventKinds.SilenceEnded, AlertEventKinds.SilenceSubjectType, id.ToString(CultureInfo.InvariantCulture),
            $"{actor.Name} ended the silence of {Describe(silence.Matchers)}", Service(silence.Matchers));
        await db.SaveChangesAsync(ct);
        return silence;
    }

    /// <summary>The rule's own checks, then its service against the catalog (the one resolver of service names).</summary>
    private async Task<Result<AlertRuleRequest>> CheckAsync(AlertRuleRequest request, CancellationToken ct)
    {
        if (!AlertRuleRules.Check(request, options.Value.MinIntervalSeconds).TryGet(out var r, out var refusal))
        {
            return refusal;
        }
        if (await catalog.FindAsync(r.Service!, ct) is null)
        {
            var known = await catalog.NamesAsync(ct);
            return Refusal.InvalidField("service", $"There is no service '{r.Service}' in the catalog" +
                (known.Count > 0 ? $" (known: {string.Join(", ", known.Take(20))})" : "") + ". Define it on the Services page or in services.yaml first.",
                "The rule is not valid");
        }
        return r;
    }

    private static string Describe(IEnumerable<SilenceMatcher> m) => string.Join(", ", m.Select(x => $"{x.Name}={x.Value}"));

    private static string? Service(IEnumerable<SilenceMatcher> m) => m.FirstOrDefault(x => x.Name == "service" && !x.Value.Contains('*'))?.Value;

    private static void Copy(AlertRuleRequest r, AlertRule rule)
    {
        rule.Runbook = r.Runbook;
        rule.Labels = r.Labels ?? [];
        rule.Kind = r.Kind;
        rule.IntervalSeconds = r.IntervalSeconds ?? 60;
        rule.Spec = r.Spec ?? new AlertRuleSpec();
        rule.HardAfter = r.HardAfter ?? 1;
        rule.RepeatMinutes = r.RepeatMinutes ?? 60;
        rule.IncidentSeverity = r.IncidentSeverity;
        rule.Enabled = r.Enabled ?? true;
    }

    private void Append(OpsDbContext db, Actor actor, string kind, AlertRule rule, string summary) =>
        events.Append(db, actor.Name, kind, AlertEventKinds.SubjectType, rule.Id.ToString(CultureInfo.InvariantCulture), summary, rule.Service,
            new { rule.Name, kind = rule.Kind.ToString(), rule.Spec.Query });

    private static Refusal NoRule(long id) => Refusal.NotFound($"There is no alert rule {id}.");
}

public sealed record SilenceMatcherRequest(string? Name, string? Value);

public sealed record SilenceRequest(IReadOnlyList<SilenceMatcherRequest>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
    int? DurationMinutes, string? Reason);
