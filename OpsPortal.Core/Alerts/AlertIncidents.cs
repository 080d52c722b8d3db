using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Core.Alerts;

/// <summary>
/// Alert → incident: when a rule that declares incidents goes hard CRITICAL, a ticket of type alert and an
/// incident of the rule's severity, linked to both. Detected = the alert's first non-OK result; impact start =
/// the first bad minute in the data, so MTTD is measured. The alert's events carry the service, so they are on
/// the incident's timeline.
/// </summary>
internal sealed partial class AlertIncidents(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock,
    TicketHook tickets, IncidentService incidents, AlertMeasurer measurer, ILogger<AlertIncidents> logger)
{
    public static readonly Auth.Actor System = Auth.Actor.System("alerts");
    public static readonly string Actor = System.Name;

    /// <summary>
    /// Declares the instance's incident if it is hard CRITICAL on a rule that declares incidents and has none for
    /// this firing. All or nothing: the ticket, the incident, the link on the instance and the event commit in one
    /// transaction that holds the instance's row lock, so a retry (the round writer asks again every round until
    /// the instance has its incident) or a second node finds the incident already there. A fault is logged and
    /// left for the next round; it never fails the evaluator's pass.
    /// </summary>
    public async Task<bool> DeclareAsync(long instanceId, CancellationToken ct)
    {
        try
        {
            return await DeclareOnceAsync(instanceId, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogDeclareFailed(logger, instanceId, ex);
            return false;
        }
    }

    private async Task<bool> DeclareOnceAsync(long instanceId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var instance = await db.AlertInstances.FromSql($"SELECT * FROM alert_instances WHERE id = {instanceId} FOR UPDATE").SingleOrDefaultAsync(ct);
        var rule = instance is null ? null : await db.AlertRules.SingleOrDefaultAsync(r => r.Id == instance.RuleId, ct);
        if (instance is null || rule is null || !NeedsIncident(rule, instance))
        {
            return false;
        }
        var detected = instance.FirstFiringAt ?? instance.Since;
        var started = await ImpactStartAsync(rule, instance.GroupKey, detected, ct);
        var title = AlertRoundWriter.Title(rule, instance);
        var runbook = rule.Runbook is { } slug ? $"\n\nRunbook: [{slug}](/wiki/{slug})" : "";
        var summary = $"Declared by alert [{rule.Name}](/alerts/rules/{rule.Id}): {instance.Message}{runbook}";
        // The ticket first (the incident links it instead of opening one of type incident); saved, not committed.
        if (!(await tickets.CreateForAsync(db, new LinkedTicketRequest("alert",
                AlertRoundWriter.Shorten($"CRITICAL: {title}", TicketRules.MaxTitleLength),
                $"Alert [{rule.Name}](/alerts/rules/{rule.Id}) on {rule.Service} is CRITICAL since {Iso(detected)}.\n\n{instance.Message}{runbook}",
                rule.Service, "P" + rule.IncidentSeverity![^1], AlertEventKinds.SubjectType, rule.Id.ToString(CultureInfo.InvariantCulture)), System, ct))
            .TryGet(out var ticket, out var refusal))
        {
            await tx.RollbackAsync(ct);
            await RecordRefusalAsync(instanceId, rule.Version, "ticket", refusal, ct);
            return false;
        }
        await db.SaveChangesAsync(ct);
        var declared = await incidents.DeclareAsync(db, new DeclareIncident
        {
            Title = AlertRoundWriter.Shorten(title, IncidentRules.MaxTitle),
            Severity = rule.IncidentSeverity,
            Services = [rule.Service],
            Summary = AlertRoundWriter.Shorten(summary, IncidentRules.MaxSummary),
            StartedAt = started,
            DetectedAt = detected,
            Ticket = ticket.Key,
            LogQuery = rule.Spec.Query,
            LogFrom = started.AddMinutes(-30),
            // The alert itself paged when it went hard CRITICAL: its incident does not wake anyone a second time.
            Page = false,
        }, System, ct);
        if (!declared.TryGet(out var incident, out refusal))
        {
            await tx.RollbackAsync(ct); // with the ticket in it
            await RecordRefusalAsync(instanceId, rule.Version, "incident", refusal, ct);
            return false;
        }
        instance.IncidentId = incident.Id;
        AlertRoundWriter.Record(events, db, rule, instance, AlertEventKinds.IncidentDeclared, instance.HardState, instance.HardState, clock.GetUtcNow(),
            $"{title}: declared incident #{incident.Id} ({rule.IncidentSeverity}), ticket {ticket.Key}",
            new { incident = incident.Id, ticket = ticket.Key, startedAt = started, detectedAt = detected });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A refusal is an answer, not a fault: retrying it every round would log and fail the same way while the alert
    /// fires. It is recorded once on the instance (with the rule's version) and on the rule's timeline with the
    /// reason; the instance is asked again when the rule is edited or when it recovers and fires anew.
    /// </summary>
    private async Task RecordRefusalAsync(long instanceId, int ruleVersion, string what, Refusal refusal, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var instance = await db.AlertInstances.FromSql($"SELECT * FROM alert_instances WHERE id = {instanceId} FOR UPDATE").SingleOrDefaultAsync(ct);
        var rule = instance is null ? null : await db.AlertRules.SingleOrDefaultAsync(r => r.Id == instance.RuleId, ct);
        // Another node recorded it first, or the rule changed meanwhile (then the next round asks again).
        if (instance is null || rule is null || rule.Version != ruleVersion || !NeedsIncident(rule, instance))
        {
            return;
        }
        LogDeclareRefused(logger, rule.Id, refusal.Message);
        instance.IncidentRefusedVersion = rule.Version;
        var title = AlertRoundWriter.Title(rule, instance);
        AlertRoundWriter.Record(events, db, rule, instance, AlertEventKinds.IncidentRefused, instance.HardState, instance.HardState, clock.GetUtcNow(),
            $"{title}: no incident declared - the {what} was refused: {refusal.Message}. Not asked again until the rule is changed or the alert fires anew.",
            new { what, reason = refusal.Message, kind = refusal.Kind.ToString(), ruleVersion });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// A hard CRITICAL firing of a rule that declares incidents, with no incident yet (recovery clears it) and no
    /// refusal recorded for this version of the rule.
    /// </summary>
    internal static bool NeedsIncident(AlertRule rule, AlertInstance instance) =>
        rule.IncidentSeverity is not null && instance.Hard && instance.HardState == AlertState.Critical && instance.IncidentId is null
        && instance.IncidentRefusedVersion != rule.Version;

    /// <summary>
    /// The first minute of the run of bad minutes that ends at the detection: a minute is bad when its own value
    /// (lines scaled to the window, rate, ratio, percentile) is beyond the lowest threshold. Other kinds, and a
    /// detection with no bad minute found, start at the detection (no data: one window earlier).
    /// </summary>
    internal async Task<DateTimeOffset> ImpactStartAsync(AlertRule rule, string group, DateTimeOffset detected, CancellationToken ct)
    {
        var spec = rule.Spec;
        var window = TimeSpan.FromSeconds(spec.WindowSeconds);
        if (rule.Kind == AlertRuleKind.NoData)
        {
            return detected - window;
        }
        if (rule.Kind != AlertRuleKind.Threshold || (spec.Warning ?? spec.Critical) is not { } limit)
        {
            return detected;
        }
        var to = AlertMeasurer.CeilingMinute(detected.UtcDateTime.AddTicks(1));
        var from = AlertMeasurer.FloorMinute(detected.UtcDateTime - 3 * window - TimeSpan.FromMinutes(1));
        var perMinute = new SortedDictionary<DateTime, double?>();
        if (spec.Measure == AlertMeasure.Percentile)
        {
            foreach (var minute in (await measurer.LatencyHistogramAsync(spec, from, to, ct)).Where(h => h.Key == group).GroupBy(h => h.Minute))
            {
                perMinute[minute.Key] = Percentile(minute.Select(h => (h.Bucket, h.Count)), spec.Percentile);
            }
        }
        else
        {
            var scale = spec.Measure == AlertMeasure.Count ? window.TotalMinutes : 1;
            foreach (var c in (await measurer.CountsAsync(spec, from, to, perMinute: true, ct)).Where(c => c.GroupKey == group))
            {
                perMinute[c.Minute] = AlertMeasurer.ValueOf(spec.Measure, c.Matched, c.Total, 1) * scale;
            }
        }
        bool Bad(DateTime m) => perMinute.TryGetValue(m, out var v) && AlertMaths.StateOf(v, limit, null, spec.Below) != AlertState.Ok;
        var at = AlertMeasurer.FloorMinute(detected.UtcDateTime);
        while (at >= from && !Bad(at))
        {
            at = at.AddMinutes(-1);
        }
        if (at < from)
        {
            return detected;
        }
        while (Bad(at.AddMinutes(-1)) && at.AddMinutes(-1) >= from)
        {
            at = at.AddMinutes(-1);
        }
        return new DateTimeOffset(at, TimeSpan.Zero);
    }

    /// <summary>A percentile from histogram buckets (the upper edge of the bucket that holds it).</summary>
    public static double? Percentile(IEnumerable<(int Bucket, long Count)> buckets, double percentile)
    {
        var sorted = buckets.GroupBy(b => b.Bucket).Select(g => (Bucket: g.Key, Count: g.Sum(x => x.Count))).OrderBy(b => b.Bucket).ToList();
        var total = sorted.Sum(b => b.Count);
        if (total == 0)
        {
            return null;
        }
        var rank = Math.Ceiling(percentile / 100 * total);
        long seen = 0;
        foreach (var (bucket, count) in sorted)
        {
            seen += count;
            if (seen >= rank)
            {
                return AlertMeasurer.BucketSeconds(bucket);
            }
        }
        return AlertMeasurer.BucketSeconds(sorted[^1].Bucket);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    [LoggerMessage(LogLevel.Warning, "Alert instance {InstanceId} could not declare its incident; the next round retries")]
    private static partial void LogDeclareFailed(ILogger logger, long instanceId, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Alert rule {RuleId} could not declare its incident: {Reason}; recorded on the rule, not asked again until it changes or fires anew")]
    private static partial void LogDeclareRefused(ILogger logger, long ruleId, string reason);
}
