namespace OpsPortal.Core.Incidents;

public sealed class IncidentsOptions
{
    public const string Section = "OpsPortal:Incidents";

    /// <summary>How far before the impact start the review looks for deploys and changes (the page can change it).</summary>
    public TimeSpan TimelineMargin { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The log query that selects a service's requests in the access table, by service name
    /// (e.g. <c>demo-web: "host:shop.demo.local"</c>). A service not listed is matched by <c>host:NAME</c>.
    /// </summary>
    public Dictionary<string, string> ServiceLogQueries { get; set; } = new(StringComparer.Ordinal);

    public string LogQueryFor(string service) =>
        ServiceLogQueries.TryGetValue(service, out var q) && !string.IsNullOrWhiteSpace(q) ? q : "host:" + service;
}
