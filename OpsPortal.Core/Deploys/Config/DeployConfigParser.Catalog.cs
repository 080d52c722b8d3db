using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpsPortal.Core.Deploys.Config;

/// <summary>The catalog keys of a service (description, owners, tier, links, logs, depends_on, auto_rollback).</summary>
internal static partial class DeployConfigParser
{
    private static readonly string[] CatalogKeys = ["description", "owners", "tier", "links", "logs", "depends_on", "auto_rollback", "escalation_policy"];

    private static ServiceCatalogConfig Catalog(Walker walker, string name, YamlNode key, YamlMappingNode map)
    {
        var description = walker.Scalar(map, "description");
        if (ServiceCatalogRules.DescriptionProblem(description) is { } longText)
        {
            walker.Problem(walker.Child(map, "description")!, $"service '{name}': {longText}");
        }
        var owners = new List<string>();
        foreach (var (node, owner) in walker.ListOrScalar(map, "owners").Take(ServiceCatalogRules.MaxOwners + 1))
        {
            if (ServiceCatalogRules.OwnerProblem(owner) is { } problem)
            {
                walker.Problem(node, $"service '{name}': {problem}");
            }
            owners.Add(owner);
        }
        if (owners.Count > ServiceCatalogRules.MaxOwners)
        {
            walker.Problem(walker.Child(map, "owners")!, $"service '{name}': at most {ServiceCatalogRules.MaxOwners} owners");
        }
        return new ServiceCatalogConfig((int)key.Start.Line, description, owners, Tier(walker, name, map), Links(walker, name, map),
            Selector(walker, map, name), Dependencies(walker, name, map), Policy(walker, name, map));
    }

    private static int? Tier(Walker walker, string name, YamlMappingNode map)
    {
        if (walker.Scalar(map, "tier") is not { } text)
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var tier) || ServiceCatalogRules.TierProblem(tier) is not null)
        {
            walker.Problem(walker.Child(map, "tier")!, $"service '{name}': tier must be 1 (most critical) to {ServiceCatalogRules.MaxTier}, not '{text}'");
            return null;
        }
        return tier;
    }

    private static List<ServiceLink> Links(Walker walker, string name, YamlMappingNode map)
    {
        var links = new List<ServiceLink>();
        var node = walker.Child(map, "links");
        if (node is null)
        {
            return links;
        }
        if (node is not YamlMappingNode linkMap)
        {
            walker.Problem(node, $"service '{name}': links must be a mapping of title to URL, e.g. repository: https://github.com/acme/web");
            return links;
        }
        foreach (var (titleNode, urlNode) in linkMap.Children)
        {
            var title = (titleNode as YamlScalarNode)?.Value ?? "";
            var url = (urlNode as YamlScalarNode)?.Value ?? "";
            if (ServiceCatalogRules.LinkProblem(title, url) is { } problem)
            {
                walker.Problem(urlNode, $"service '{name}': {problem}");
                continue;
            }
            links.Add(new ServiceLink(title.Trim(), url));
        }
        if (links.Count > ServiceCatalogRules.MaxLinks)
        {
            walker.Problem(node, $"service '{name}': at most {ServiceCatalogRules.MaxLinks} links");
        }
        return links;
    }

    private static List<string> Dependencies(Walker walker, string name, YamlMappingNode map)
    {
        var list = new List<string>();
        foreach (var (node, dependency) in walker.ListOrScalar(map, "depends_on"))
        {
            if (ServiceCatalogRules.DependencyProblem(name, dependency) is { } problem)
            {
                walker.Problem(node, $"service '{name}': {problem}");
            }
            else if (!list.Contains(dependency))
            {
                list.Add(dependency);
            }
        }
        if (list.Count > ServiceCatalogRules.MaxDependencies)
        {
            walker.Problem(walker.Child(map, "depends_on")!, $"service '{name}': at most {ServiceCatalogRules.MaxDependencies} dependencies");
        }
        return list;
    }

    private static string? Policy(Walker walker, string name, YamlMappingNode map)
    {
        var policy = walker.Scalar(map, "escalation_policy")?.Trim();
        if (policy is not null && ServiceCatalogRules.PolicyProblem(policy) is { } problem)
        {
            walker.Problem(walker.Child(map, "escalation_policy")!, $"service '{name}': {problem}");
            return null;
        }
        return policy;
    }

    private static string? Selector(Walker walker, YamlMappingNode map, string where)
    {
        if (walker.Scalar(map, "logs") is not { } selector)
        {
            return null;
        }
        if (ServiceCatalogRules.SelectorProblem(selector) is { } problem)
        {
            walker.Problem(walker.Child(map, "logs")!, $"{where}: {problem}");
            return null;
        }
        return selector.Trim();
    }

    private static bool Bool(Walker walker, YamlMappingNode map, string key, string where, bool inherited)
    {
        if (walker.Scalar(map, key) is not { } text)
        {
            return inherited;
        }
        if (!bool.TryParse(text, out var value))
        {
            walker.Problem(walker.Child(map, key)!, $"{where}: {key} must be true or false, not '{text}'");
        }
        return value;
    }
}
