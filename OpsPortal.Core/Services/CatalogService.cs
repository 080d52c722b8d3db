using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Services;

public enum ServiceSource
{
    /// <summary>Declared in services.yaml (the deploy configuration file): edit it there.</summary>
    File,

    /// <summary>Defined in the portal (UI or <c>PUT /api/services/{name}</c>).</summary>
    Portal,
}

/// <summary>Where a service was defined: "services.yaml:12", or revision 3 by someone at a time.</summary>
public sealed record ServiceOrigin(ServiceSource Source, string? File, int Line, int Revision, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public override string ToString() => Source == ServiceSource.File
        ? $"{File}:{Line}"
        : $"the portal, revision {Revision} by {UpdatedBy}";
}

/// <summary>One deploy target of a service, with the log query that selects its requests (for deploy verification).</summary>
/// <param name="HasOwnSelector">False when the environment uses the service's selector (its traffic is not separated).</param>
public sealed record CatalogEnvironment(string Name, string LogSelector, bool HasOwnSelector, bool AutoRollback, string Role, bool TicketRequired);

/// <summary>
/// A service as every feature sees it, whichever place defined it. <see cref="LogSelector"/> is always a
/// valid query: the declared one, or <c>host:NAME</c>.
/// </summary>
public sealed record CatalogService(
    string Name,
    string? Description,
    IReadOnlyList<string> Owners,
    int? Tier,
    IReadOnlyList<ServiceLink> Links,
    string LogSelector,
    bool LogSelectorIsDefault,
    IReadOnlyList<CatalogEnvironment> Environments,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> DependedOnBy,
    ServiceOrigin Origin,
    string? EscalationPolicy = null)
{
    /// <summary>The requests of one environment (its own selector, else the service's); null environment: the whole service.</summary>
    internal string SelectorFor(string? environment) =>
        environment is not null && Environments.FirstOrDefault(e => e.Name == environment) is { } env ? env.LogSelector : LogSelector;

    public CatalogEnvironment? Environment(string name) => Environments.FirstOrDefault(e => e.Name == name);
}

/// <summary>The log query of a service (or of one of its environments), and whether the catalog knows the service at all.</summary>
public sealed record ServiceSelector(string Service, string? Environment, string Query, bool Known, bool IsDefault);

/// <summary>What a person or script sends to define a service in the portal.</summary>
public sealed record ServiceInput(
    string? Description,
    IReadOnlyList<string>? Owners,
    int? Tier,
    IReadOnlyList<ServiceLink>? Links,
    string? LogSelector,
    IReadOnlyList<string>? DependsOn,
    int? BaseRevision = null,
    string? EscalationPolicy = null);
