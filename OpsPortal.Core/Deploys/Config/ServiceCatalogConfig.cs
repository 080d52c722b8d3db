namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// The catalog keys of one service in <c>services.yaml</c>: who owns it, what it is, which requests are
/// its own, what it needs. A service may have only these (no environments): it is then in the catalog
/// without deploy targets.
/// </summary>
/// <param name="Line">Where the service is declared, for "defined in services.yaml:12".</param>
/// <param name="Owners">People (emails) or teams (<c>team:web</c>).</param>
/// <param name="Tier">1 (most critical) to 4; null when not said.</param>
/// <param name="LogSelector">A query in the log language selecting the service's requests; null for the default.</param>
/// <param name="DependsOn">Names of the services this one needs.</param>
/// <param name="EscalationPolicy">The on-call escalation policy that pages for the service (by name); null: the default policy.</param>
public sealed record ServiceCatalogConfig(
    int Line,
    string? Description,
    IReadOnlyList<string> Owners,
    int? Tier,
    IReadOnlyList<ServiceLink> Links,
    string? LogSelector,
    IReadOnlyList<string> DependsOn,
    string? EscalationPolicy = null)
{
    public static readonly ServiceCatalogConfig Empty = new(0, null, [], null, [], null, []);
}

/// <summary>A link of a service: repository, dashboard, docs … (the title is the key in the file).</summary>
public sealed record ServiceLink(string Title, string Url);
