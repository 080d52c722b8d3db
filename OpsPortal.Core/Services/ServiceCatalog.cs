using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Core.Services;

/// <summary>
/// The one resolver of "service": every feature asks here for a service's description, owners, log
/// selector, deploy targets, runbooks and dependencies, whether the service was declared in
/// services.yaml (the deploy configuration, which wins) or defined in the portal. A name the catalog
/// does not know still gets a log selector (<c>host:NAME</c>), so older incidents keep their graphs.
/// Writes of portal-defined services are in <c>ServiceCatalog.Save.cs</c>.
/// </summary>
public sealed partial class ServiceCatalog(
    IDbContextFactory<OpsDbContext> dbFactory,
    DeployConfigStore configs,
    WikiService wiki,
    Events.EventLog events,
    TimeProvider clock) : IServiceNames
{
    /// <summary>Every service, by name.</summary>
    public async Task<IReadOnlyList<CatalogService>> ListAsync(CancellationToken ct = default)
    {
        var settings = configs.Current;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<ServiceDefinition>().AsNoTracking().ToListAsync(ct);
        return Resolve(settings.Config, rows);
    }

    public async Task<CatalogService?> FindAsync(string name, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(s => s.Name == name);

    /// <summary>The names, for pickers (tickets' service field, the Declare dialog, filters).</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken ct = default) =>
        (await ListAsync(ct)).Select(s => s.Name).ToList();

    /// <summary>
    /// The log query selecting the requests of <paramref name="service"/> (of one environment when given and
    /// declared). Unknown services get <c>host:NAME</c>: the review of an old incident still has a graph.
    /// </summary>
    public async Task<ServiceSelector> SelectorAsync(string service, string? environment = null, CancellationToken ct = default) =>
        SelectorOf(await FindAsync(service, ct), service, environment);

    /// <summary>The selectors of several services at once (one catalog read).</summary>
    public async Task<IReadOnlyList<ServiceSelector>> SelectorsAsync(IEnumerable<string> services, CancellationToken ct = default)
    {
        var all = (await ListAsync(ct)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        return services.Select(name => SelectorOf(all.GetValueOrDefault(name), name, null)).ToList();
    }

    /// <summary>Wiki pages that name the service: its runbooks, most recently edited first.</summary>
    public Task<IReadOnlyList<WikiPageSummary>> RunbooksAsync(string service, CancellationToken ct = default) =>
        wiki.RunbooksForServiceAsync(service, ct);

    /// <summary>What is wrong with services.yaml right now (the last valid version stays in force).</summary>
    public IReadOnlyList<ConfigProblem> FileProblems => configs.Current.Problems;

    /// <summary>The services file the catalog reads.</summary>
    public string FilePath => configs.Current.Path;

    private static ServiceSelector SelectorOf(CatalogService? known, string service, string? environment)
    {
        if (known is null)
        {
            return new ServiceSelector(service, environment, DefaultSelector(service), false, true);
        }
        var env = environment is null ? null : known.Environment(environment);
        return env is { HasOwnSelector: true }
            ? new ServiceSelector(service, environment, env.LogSelector, true, false)
            : new ServiceSelector(service, environment, known.LogSelector, true, known.LogSelectorIsDefault);
    }

    /// <summary><c>host:NAME</c>, quoted when the name is not a plain word (free-text services of old incidents).</summary>
    internal static string DefaultSelector(string service) =>
        ServiceCatalogRules.IsValidName(service)
            ? ServiceCatalogRules.DefaultSelector(service)
            : $"host:\"{service.Replace("\"", "", StringComparison.Ordinal)}\"";

    /// <summary>Merges the file's services and the portal's rows (the file wins on a name), with reverse dependencies.</summary>
    internal static IReadOnlyList<CatalogService> Resolve(DeployConfig? file, IReadOnlyList<ServiceDefinition> rows)
    {
        var list = new List<CatalogService>();
        foreach (var s in file?.Services ?? [])
        {
            var c = s.Catalog;
            var selector = c.LogSelector ?? ServiceCatalogRules.DefaultSelector(s.Name);
            var environments = s.Environments.Select(e => new CatalogEnvironment(e.Name, e.LogSelector ?? selector, e.LogSelector is not null,
                e.AutoRollback, e.Role, e.TicketRequired)).ToList();
            list.Add(new CatalogService(s.Name, c.Description, c.Owners, c.Tier, c.Links, selector, c.LogSelector is null, environments,
                c.DependsOn, [], new ServiceOrigin(ServiceSource.File, file!.FilePath, c.Line, 0, null, null), c.EscalationPolicy));
        }
        var declared = list.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var r in rows.Where(r => !declared.Contains(r.Name)))
        {
            list.Add(new CatalogService(r.Name, r.Description, r.Owners, r.Tier, r.Links, r.LogSelector ?? ServiceCatalogRules.DefaultSelector(r.Name),
                r.LogSelector is null, [], r.DependsOn, [], new ServiceOrigin(ServiceSource.Portal, null, 0, r.Revision, r.UpdatedBy, r.UpdatedAt),
                r.EscalationPolicy));
        }
        var dependents = list.SelectMany(s => s.DependsOn.Select(d => (On: d, By: s.Name)))
            .ToLookup(x => x.On, x => x.By, StringComparer.Ordinal);
        return list.Select(s => s with { DependedOnBy = dependents[s.Name].Order(StringComparer.Ordinal).ToList() })
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }
}
