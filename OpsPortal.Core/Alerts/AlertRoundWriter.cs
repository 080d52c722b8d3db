using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall.Paging;

namespace OpsPortal.Core.Alerts;

/// <summary>
/// Records the rounds of a batch of rules in one transaction: the instances' new states (state machine), their
/// history, events on the spine, the measured series, the notifications decided, and each rule's next run — and
/// only for the rules whose lease this node still holds, so a round that a slow node finishes after a take-over is dropped.
/// </summary>
internal sealed class AlertRoundWriter(IDbContextFactory<OpsDbContext> dbs, EventLog events, NotificationOutbox outbox, IOptions<NotificationsOptions> notifications,
    OnCall.Paging.Paging paging)
{
    /// <summary>One rule's round: its results at <paramref name="Now"/>, and how long the batch took to reach the write.</summary>
    public sealed record RuleRound(long RuleId, DateTimeOffset Now, IReadOnlyList<RuleResult> Results, double ElapsedMs);

    /// <summary>
    /// How many rounds were recorded, and the instances hard CRITICAL on a rule that declares incidents and still
    /// without their incident, for <see cref="AlertIncidents"/>.
    /// </summary>
    public sealed record Written(int Recorded, IReadOnlyList<long> DeclareFor);

    /// <summary>
    /// Records a batch of rounds in one transaction: the rules are locked in id order (two nodes' batches cannot
    /// deadlock), their instances and the active silences loaded in one query each. A rule whose lease is no
    /// longer this node's is skipped. A fault rolls back the whole batch, notifications included; the leases then
    /// expire and the rules are evaluated again, from the states stored before the batch.
    /// </summary>
    public async Task<Written> WriteAsync(IReadOnlyList<RuleRound> rounds, string node, CancellationToken ct)
    {
        if (rounds.Count == 0)
        {
            return new Written(0, []);
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = rounds.Select(r => r.RuleId).Distinct().Order().ToArray();
        var rules = (await db.AlertRules.FromSql($"SELECT * FROM alert_rules WHERE id = ANY({ids}) ORDER BY id FOR UPDATE").ToListAsync(ct))
            .Where(r => r.LeaseOwner == node).ToDictionary(r => r.Id);
        if (rules.Count == 0)
        {
            return new Written(0, []);
        }
        var owned = rules.Keys.ToArray();
        var instancesByRule = (await db.AlertInstances.Where(i => owned.Contains(i.RuleId)).ToListAsync(ct))
            .GroupBy(i => i.RuleId).ToDictionary(g => g.Key, g => g.ToDictionary(i => i.GroupKey, StringComparer.Ordinal));
        var at = rounds.Min(r => r.Now);
        var silences = await db.AlertSilences.Where(s => s.EndsAt > at).ToListAsync(ct);
        var mine = rounds.Where(r => rules.ContainsKey(r.RuleId)).ToList();

        // New groups first, all in one save: their ids are needed by the history rows.
        foreach (var round in mine)
        {
            var instances = instancesByRule.TryGetValue(round.RuleId, out var found) ? found : instancesByRule[round.RuleId] = new(StringComparer.Ordinal);
            foreach (var result in round.Results.Where(r => !instances.ContainsKey(r.GroupKey)))
            {
                var instance = new AlertInstance { RuleId = round.RuleId, GroupKey = result.GroupKey, Since = round.Now, HardState = AlertState.Ok, State = AlertState.Ok };
                db.AlertInstances.Add(instance);
                instances[result.GroupKey] = instance;
            }
        }
        await db.SaveChangesAsync(ct);

        var declare = new List<AlertInstance>();
        var messages = new List<NotificationMessage>();
        var pages = new List<PageRequest>();
        var recovered = new List<AlertInstance>();
        foreach (var round in mine)
        {
            var rule = rules[round.RuleId];
            var now = round.Now;
            var instances = instancesByRule[round.RuleId];
            var active = silences.Where(s => s.IsActive(now)).ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var result in round.Results)
            {
                seen.Add(result.GroupKey);
                Apply(db, rule, instances[result.GroupKey], result, active, now, declare, messages, pages, recovered);
                db.AlertSamples.Add(new AlertSample { RuleId = rule.Id, GroupKey = result.GroupKey, At = now, Value = result.Value, State = result.State, Detail = Shorten(result.Message, 500), Low = result.Band?.Low, High = result.Band?.High });
            }
            // A group that no longer shows up has no matching lines: it is OK (recovers), and once quiet it is forgotten.
            foreach (var instance in instances.Values.Where(i => !seen.Contains(i.GroupKey)).ToList())
            {
                if (instance.State == AlertState.Ok && instance.HardState == AlertState.Ok && instance.NotifiedState is null or AlertState.Ok)
                {
                    db.AlertInstances.Remove(instance);
                    continue;
                }
                Apply(db, rule, instance, new RuleResult(instance.GroupKey, AlertState.Ok, null, null, "OK - no matching lines"), active, now, declare, messages,
                    pages, recovered);
            }
            rule.LastRunAt = now;
            rule.LastRunMs = round.ElapsedMs;
            rule.LastError = round.Results.FirstOrDefault(r => r.State == AlertState.Unknown)?.Message is { } error ? Shorten(error, 2000) : null;
            rule.LeaseOwner = null;
            rule.LeaseUntil = null;
            // On schedule while on time; a round that ran late (a loaded node, a take-over) is not followed by a
            // catch-up round straight away: rounds stay at least half an interval apart.
            var next = rule.NextRunAt + rule.Interval;
            rule.NextRunAt = next >= now + rule.Interval / 2 ? next : now + rule.Interval;
        }

        foreach (var message in messages)
        {
            await outbox.EnqueueAsync(db, message, ct);
        }
        // Paging is in the round's transaction: the page and its first notifications commit with the state change.
        foreach (var page in pages)
        {
            await paging.PageAsync(db, page, ct);
        }
        foreach (var instance in recovered)
        {
            await paging.ResolveSubjectAsync(db, AlertPageSubject.SubjectType, instance.Id.ToString(CultureInfo.InvariantCulture), OnCallActor, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new Written(mine.Count, [.. declare.Select(i => i.Id)]);
    }

    private static readonly Auth.Actor OnCallActor = Auth.Actor.System("alerts");

    private void Apply(OpsDbContext db, AlertRule rule, AlertInstance instance, RuleResult result, List<AlertSilence> silences,
        DateTimeOffset now, List<AlertInstance> declare, List<NotificationMessage> messages, List<PageRequest> pages, List<AlertInstance> recovered)
    {
        var wasHardCritical = instance.Hard && instance.HardState == AlertState.Critical;
        instance.Value = result.Value;
        instance.Threshold = result.Threshold;
        instance.Message = Shorten(result.Message, 2000);
        foreach (var change in AlertStateMachine.Apply(instance, result.State, rule.HardAfter, now))
        {
            Record(events, db, rule, instance, change.Kind, change.From, change.To, now,
                $"{Title(rule, instance)}: {Describe(change)} - {instance.Message}");
            if (change.Kind == AlertEventKinds.Recovered)
            {
                recovered.Add(instance);
            }
        }
        // Every round, not only at the transition: a declaration that failed (or a node that died before it) is retried.
        if (AlertIncidents.NeedsIncident(rule, instance))
        {
            declare.Add(instance);
        }
        var silenced = silences.Any(s => SilenceMatching.Matches(s, rule, instance.GroupKey, instance.HardState, now));
        // Going hard CRITICAL wakes the service's on-call (docs/oncall.md); silenced or flapping alerts wake nobody.
        if (!wasHardCritical && instance.Hard && instance.HardState == AlertState.Critical && !silenced && !instance.Flapping)
        {
            var message = AlertMessages.For(rule, instance, NotificationKind.Problem, null);
            pages.Add(new PageRequest(AlertPageSubject.SubjectType, instance.Id.ToString(CultureInfo.InvariantCulture), rule.Service,
                NotificationSeverity.Critical, message.Subject, message.Links, message.Text, AlertEventKinds.SubjectType,
                rule.Id.ToString(CultureInfo.InvariantCulture)));
        }
        if (AlertNotifyPolicy.Decide(instance, silenced, TimeSpan.FromMinutes(rule.RepeatMinutes), now) is { } kind)
        {
            var message = AlertMessages.For(rule, instance, kind, notifications.Value.PublicUrl);
            Record(events, db, rule, instance, AlertEventKinds.Notified, instance.HardState, instance.HardState, now,
                $"{Title(rule, instance)}: notified ({kind.ToString().ToLowerInvariant()}) - {message.Subject}",
                new { kind = kind.ToString().ToLowerInvariant(), message.Subject, message.Text, message.Severity, message.Labels, message.DedupKey });
            instance.NotifiedState = instance.HardState;
            instance.NotifiedAt = now;
            messages.Add(message);
        }
    }

    internal static void Record(EventLog events, OpsDbContext db, AlertRule rule, AlertInstance instance, string kind, AlertState from, AlertState to,
        DateTimeOffset now, string summary, object? payload = null, string? actor = null)
    {
        db.AlertTransitions.Add(new AlertTransition
        {
            RuleId = rule.Id,
            InstanceId = instance.Id,
            GroupKey = instance.GroupKey,
            At = now,
            Kind = kind,
            From = from,
            To = to,
            Value = instance.Value,
            Message = Shorten(summary, 2000),
        });
        events.Append(db, actor ?? AlertIncidents.Actor, kind, AlertEventKinds.SubjectType, rule.Id.ToString(CultureInfo.InvariantCulture), Shorten(summary, 500), rule.Service,
            payload ?? new { group = instance.GroupKey, from = AlertStates.Name(from), to = AlertStates.Name(to), value = instance.Value, threshold = instance.Threshold });
    }

    private static string Describe(AlertChange c) => c.Kind switch
    {
        AlertEventKinds.Recovered => "recovered",
        AlertEventKinds.Fired => $"{AlertStates.Name(c.From)} → {AlertStates.Name(c.To)} (hard)",
        AlertEventKinds.SoftChanged => $"{AlertStates.Name(c.From)} → {AlertStates.Name(c.To)} ({c.Summary})",
        _ => c.Summary,
    };

    internal static string Title(AlertRule rule, AlertInstance i) =>
        i.GroupKey.Length > 0 ? $"{rule.Name} ({rule.Spec.GroupBy} {i.GroupKey})" : rule.Name;

    internal static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
