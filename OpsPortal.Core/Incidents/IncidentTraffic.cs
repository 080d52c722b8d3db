using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.Incidents;

/// <summary>One graph of the review: whose requests (a service, or the search the incident was declared from), the query, the series.</summary>
/// <param name="Error">Why there is no series (the query does not parse).</param>
public sealed record IncidentGraph(string Title, string? Service, string Query, bool KnownService, TrafficSeries? Series, string? Error);

/// <summary>
/// The incident review's traffic graphs: per affected service, the requests its catalog log selector
/// picks (the same <see cref="ServiceCatalog.SelectorsAsync"/> the service page and deploy verification
/// use; <c>host:NAME</c> for a service the catalog does not know), and the search the incident was
/// declared from.
/// </summary>
public sealed class IncidentTraffic(ServiceCatalog catalog, LogTraffic traffic)
{
    public async Task<IReadOnlyList<IncidentGraph>> GraphsAsync(Incident incident, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var wanted = (await catalog.SelectorsAsync(incident.Services, ct))
            .Select(s => (Title: s.Service, Service: (string?)s.Service, s.Query, s.Known)).ToList();
        if (!string.IsNullOrEmpty(incident.LogQuery))
        {
            wanted.Add(("declared from: " + incident.LogQuery, null, incident.LogQuery, false));
        }
        var graphs = new List<IncidentGraph>();
        foreach (var (title, service, query, known) in wanted)
        {
            graphs.Add((await traffic.TrafficAsync(query, from, to, ct)).TryGet(out var series, out var refusal)
                ? new IncidentGraph(title, service, query, known, series, null)
                : new IncidentGraph(title, service, query, known, null, "The log query does not parse: " + refusal.Detail));
        }
        return graphs;
    }
}
