using System.ComponentModel;
using Microsoft.Extensions.Caching.Hybrid;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Core.Dashboards;

[ImmutableObject(true)]
public sealed record WallIncident(long Id, string Title, string Severity, string Status, DateTimeOffset StartedAt);

[ImmutableObject(true)]
public sealed record WallAlert(long RuleId, string Rule, string State, string? Group, DateTimeOffset Since, bool Acknowledged, bool Silenced);

[ImmutableObject(true)]
public sealed record WallDeploy(long Id, string Service, string Environment, string Action, string Version, string Status, DateTimeOffset Since);

[ImmutableObject(true)]
public sealed record WallLock(string Service, string Environment, string Reason, string LockedBy, DateTimeOffset Since, bool Freeze);

/// <summary>
/// What the wall display shows besides the traffic panels. MTTR (seconds) is the incident metrics' MTTR for today:
/// incidents started since midnight UTC (<see cref="MttrSamples"/> of them resolved); <see cref="MttrExcluded"/> started
/// today but are not resolved, so they are left out, exactly as on the incident metrics page.
/// </summary>
[ImmutableObject(true)]
public sealed record WallSummary(
    IReadOnlyList<WallIncident> Incidents, IReadOnlyList<WallAlert> Alerts, IReadOnlyList<WallDeploy> Deploys, IReadOnlyList<WallLock> Locks,
    double? MttrTodaySeconds, int MttrSamples, int MttrExcluded, DateTimeOffset At);

/// <summary>
/// The wall display's state (Home in kiosk mode): open incidents, alerts not OK, running deploys, locks and
/// freezes, today's MTTR. Every TV on the wall reads the same cached summary; an incident, alert or deploy
/// event anywhere drops it on every node (<see cref="DashboardCacheInvalidator"/>), so the next read is fresh.
/// </summary>
public sealed class WallBoard(HybridCache cache, IncidentQueries incidents, AlertService alerts, DeployQueries deploys, DeployLocks locks, TimeProvider clock)
{
    public const string Tag = "wall";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    /// <summary>Subject types whose events change the wall.</summary>
    public static readonly IReadOnlySet<string> Subjects = new HashSet<string>(StringComparer.Ordinal)
    {
        IncidentEventKinds.SubjectType, AlertEventKinds.SubjectType, DeployEventKinds.Subject, DeployEventKinds.LockSubject,
    };

    public ValueTask<WallSummary> GetAsync(CancellationToken ct) =>
        cache.GetOrCreateAsync("wall", async token => await ReadAsync(token),
            new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl }, [Tag], ct);

    private async Task<WallSummary> ReadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var open = await incidents.OpenAsync(ct);
        var firing = await alerts.ListAlertsAsync(includeOk: false, null, null, ct);
        var recent = await deploys.RecentAsync(20, ct);
        var held = await locks.ListAsync(ct);
        // One definition of MTTR: the calculator's, over today's period (an incident belongs to the day it started).
        var mttr = (await incidents.MetricsAsync(new MetricFilter(midnight, now), ct)).Mttr;
        return new WallSummary(
            [.. open.OrderBy(i => i.Severity).ThenBy(i => i.StartedAt).Select(i => new WallIncident(i.Id, i.Title, Incident.SeverityName(i.Severity), i.Status.ToString(), i.StartedAt))],
            [.. firing.Where(a => a.Instance.HardState != AlertState.Ok).OrderByDescending(a => a.Instance.HardState)
                .Select(a => new WallAlert(a.Rule.Id, a.Rule.Name, AlertStates.Name(a.Instance.HardState), a.Instance.GroupKey.Length == 0 ? null : a.Instance.GroupKey,
                    a.Instance.FirstFiringAt ?? a.Instance.Since, a.Instance.AcknowledgedAt is not null, a.Silenced))],
            [.. recent.Where(d => d.IsActive).Select(d => new WallDeploy(d.Id, d.Service, d.Environment, d.Action, d.Version, d.Status, d.StartedAt ?? d.RequestedAt))],
            [.. held.Select(l => new WallLock(l.Service, l.Environment, l.Reason, l.LockedBy, l.LockedAt, l.IsFreeze))],
            mttr.Mean, mttr.Samples, mttr.Excluded, now);
    }
}
