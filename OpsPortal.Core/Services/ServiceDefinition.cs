using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Services;

/// <summary>
/// A service defined in the UI or through <c>PUT /api/services/{name}</c> (table <c>services</c>). Services
/// declared in services.yaml are not stored here: the file is their source, and it wins over a row of
/// the same name.
/// </summary>
public class ServiceDefinition
{
    public required string Name { get; set; }
    public string? Description { get; set; }
    public List<string> Owners { get; set; } = [];
    public int? Tier { get; set; }
    public List<ServiceLink> Links { get; set; } = [];

    /// <summary>The log query selecting the service's requests; null for the default <c>host:NAME</c>.</summary>
    public string? LogSelector { get; set; }
    public List<string> DependsOn { get; set; } = [];

    /// <summary>The on-call escalation policy paging for the service (by name); null: the default policy.</summary>
    public string? EscalationPolicy { get; set; }

    /// <summary>Counts saves from 1; a save that names the revision it started from is refused when it is stale.</summary>
    public int Revision { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
