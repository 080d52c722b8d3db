using OpsPortal.Core.Alerts;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Verification;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Web.Features.Services;

/// <summary>One environment of a service: what runs there, the last deploy and its verdict, what blocks it.</summary>
public sealed record EnvironmentVersion(string Environment, string? Version, Deploy? Last, string? LastVerdict, DeployLock? Lock)
{
    /// <summary>The deploy target (null only in hand-made test data).</summary>
    public OpsPortal.Core.Deploys.Config.EnvironmentConfig? Target { get; init; }

    /// <summary>This environment beside the one before it: what a promotion would bring.</summary>
    public DriftCell? Drift { get; init; }
}

/// <summary>A deploy of the service with its verdict (null while nobody judged it).</summary>
public sealed record DeployWithVerdict(Deploy Deploy, string? Verdict);

/// <summary>Everything the service page shows, gathered from each feature through its own read side.</summary>
public sealed record ServiceOverview(
    CatalogService Service,
    ServiceHealthNow? Health,
    string? HealthError,
    IReadOnlyList<EnvironmentVersion> Versions,
    IReadOnlyList<DeployWithVerdict> RecentDeploys,
    IReadOnlyList<AlertView> Alerts,
    IReadOnlyList<Incident> OpenIncidents,
    TicketListPage OpenTickets,
    IncidentMetricSet Metrics,
    DateTimeOffset MetricsFrom,
    IReadOnlyList<WikiPageSummary> Runbooks,
    IReadOnlyList<string> KnownServices);

/// <summary>
/// Composes the service page (and <c>GET /api/services/{name}</c>): the catalog entry, health now from its
/// log selector, versions per environment, recent deploys with verdicts, its alerts not OK (firing first), open incidents and tickets,
/// MTTR/MTBF, runbooks. Lives in Web because it reads every feature, and no Core feature may depend on all.
/// </summary>
public sealed class ServiceOverviews(
    ServiceCatalog catalog, ServiceHealth health, DeployQueries deploys, DeployImpacts impacts, IncidentQueries incidents,
    TicketList tickets, AlertService alerts, TimeProvider clock)
{
    /// <summary>MTTR and MTBF are over this long: a quarter says how the service does now, not in its first year.</summary>
    public static readonly TimeSpan MetricsPeriod = TimeSpan.FromDays(90);

    public async Task<ServiceOverview?> GetAsync(string name, string me, CancellationToken ct = default)
    {
        var all = await catalog.ListAsync(ct);
        if (all.FirstOrDefault(s => s.Name == name) is not { } service)
        {
            return null;
        }
        var (now, error) = await HealthAsync(name, ct);
        var board = await deploys.BoardAsync(ct);
        var history = await deploys.HistoryAsync(new DeployHistoryFilter(Service: name, Limit: 10), ct);
        var lastIds = board.Targets.Where(t => t.Config.Service == name && t.Last is not null).Select(t => t.Last!.Id);
        var verdicts = await impacts.VerdictsAsync(history.Select(d => d.Id).Concat(lastIds), ct);
        var drift = DeployDrift.Of(board).FirstOrDefault(r => r.Service == name)?.Cells ?? [];
        var versions = board.Targets.Where(t => t.Config.Service == name)
            .Select(t => new EnvironmentVersion(t.Config.Name, t.CurrentVersion, t.Last, t.Last is null ? null : verdicts.GetValueOrDefault(t.Last.Id), t.Lock ?? board.Freeze)
            {
                Target = t.Config,
                Drift = drift.FirstOrDefault(c => c.Environment == t.Config.Name),
            })
            .ToList();
        var from = clock.GetUtcNow() - MetricsPeriod;
        return new ServiceOverview(service, now, error, versions,
            [.. history.Select(d => new DeployWithVerdict(d, verdicts.GetValueOrDefault(d.Id)))],
            await alerts.ListAlertsAsync(includeOk: false, name, null, ct),
            await incidents.ListAsync(new IncidentListFilter(Open: true, Service: name), ct),
            await tickets.ListAsync(new TicketQuery { Service = name, Statuses = TicketQuery.Active, PageSize = 10, Sort = TicketSort.Priority }, me, ct),
            await incidents.MetricsAsync(new MetricFilter(From: from, Service: name), ct), from,
            await catalog.RunbooksAsync(name, ct),
            [.. all.Select(s => s.Name)]);
    }

    /// <summary>Health is the one part that reads the access logs: a bad selector or a slow table must not take the page down.</summary>
    private async Task<(ServiceHealthNow?, string?)> HealthAsync(string name, CancellationToken ct)
    {
        try
        {
            return (await health.NowAsync(name, ct), null);
        }
        catch (OpsPortal.Core.Logs.Query.QueryException ex)
        {
            return (null, "The log selector does not parse: " + ex.Message);
        }
    }
}
