using System.Text.RegularExpressions;

namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// The deploy configuration as the team keeps it in <c>services.yaml</c>, validated. Script paths are
/// already resolved to absolute paths inside <see cref="ScriptsFolder"/>.
/// </summary>
public sealed record DeployConfig(
    string FilePath,
    string ScriptsFolder,
    IReadOnlyList<Regex> Secrets,
    string? WebhookUrl,
    IReadOnlyList<ServiceConfig> Services)
{
    public EnvironmentConfig? Find(string service, string environment) =>
        Services.FirstOrDefault(s => s.Name == service)?.Environments.FirstOrDefault(e => e.Name == environment);
}

public sealed record ServiceConfig(string Name, IReadOnlyList<EnvironmentConfig> Environments)
{
    /// <summary>What the file says about the service beyond its deploy targets (description, owners, log selector …); see the Services catalog.</summary>
    public ServiceCatalogConfig Catalog { get; init; } = ServiceCatalogConfig.Empty;
}

/// <param name="VersionsCommand">Program (inside the scripts folder) and arguments that print one version a line.</param>
/// <param name="DiffTemplate">A link with <c>{from}</c> and <c>{to}</c>, e.g. <c>https://github.com/o/r/compare/{from}...{to}</c>.</param>
public sealed record EnvironmentConfig(
    string Service,
    string Name,
    string DeployScript,
    string? RollbackScript,
    IReadOnlyList<string>? VersionsCommand,
    TimeSpan Timeout,
    string Role,
    bool TicketRequired,
    string? DiffTemplate,
    string ScriptsFolder)
{
    /// <summary>The log query selecting this environment's requests (<c>logs:</c>); null to use the service's.</summary>
    public string? LogSelector { get; init; }

    /// <summary>Roll back by itself when deploy verification finds a regression (<c>auto_rollback:</c>, inherited from the service).</summary>
    public bool AutoRollback { get; init; }

    internal string ScriptFor(string action) => action == DeployAction.Rollback ? RollbackScript ?? DeployScript : DeployScript;

    internal string? DiffUrl(string? from, string to) =>
        DiffTemplate is null || string.IsNullOrEmpty(from)
            ? null
            : DiffTemplate.Replace("{from}", Uri.EscapeDataString(from), StringComparison.Ordinal)
                .Replace("{to}", Uri.EscapeDataString(to), StringComparison.Ordinal);
}

/// <summary>One thing wrong with the configuration file, where a person can find it.</summary>
public sealed record ConfigProblem(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
