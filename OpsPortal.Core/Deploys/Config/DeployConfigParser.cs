using System.Globalization;
using System.Text.RegularExpressions;
using OpsPortal.Core.Auth;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// Reads <c>services.yaml</c> by walking the YAML nodes (not by deserialising into classes), so every
/// problem names the line it is on, and an unknown key (a typo such as <c>rolback</c>) is an error
/// rather than silently ignored. See docs/deploys.md for the format, and docs/services.md
/// for the catalog keys of a service (a service may have only those, and no environments).
/// </summary>
internal static partial class DeployConfigParser
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
    private static readonly string[] TopKeys = ["scripts", "secrets", "webhook", "services"];
    private static readonly string[] ServiceKeys = ["environments", "versions", "diff", .. CatalogKeys];
    private static readonly string[] EnvironmentKeys = ["deploy", "rollback", "versions", "timeout", "role", "ticket", "diff", "logs", "auto_rollback"];

    public sealed record Result(DeployConfig? Config, IReadOnlyList<ConfigProblem> Problems);

    public static Result Parse(string yaml, string filePath)
    {
        var problems = new List<ConfigProblem>();
        var file = Path.GetFullPath(filePath);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            return new Result(null, [new ConfigProblem(file, (int)ex.Start.Line, "not valid YAML: " + Inner(ex).Message)]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some malformed input, without a position.
            return new Result(null, [new ConfigProblem(file, 0, "not valid YAML (unbalanced brackets or quotes?)")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new Result(null, [new ConfigProblem(file, 1, "expected a mapping with 'services:' (see docs/deploys.md)")]);
        }
        var walker = new Walker(file, problems);
        walker.UnknownKeys(root, TopKeys, "top level");

        var scriptsFolder = ScriptsFolder(walker, root, file);
        var secrets = Secrets(walker, root);
        var webhook = walker.Scalar(root, "webhook");
        if (webhook is not null && !(Uri.TryCreate(webhook, UriKind.Absolute, out var hook) && hook.Scheme is "http" or "https"))
        {
            walker.Problem(root.Children[new YamlScalarNode("webhook")], "webhook must be an http(s) URL");
            webhook = null;
        }
        var services = new List<ServiceConfig>();
        if (walker.Child(root, "services") is not YamlMappingNode servicesNode)
        {
            walker.Problem(root, "missing 'services:' (a mapping of service name to its environments)");
        }
        else
        {
            foreach (var (key, value) in servicesNode.Children)
            {
                if (Service(walker, key, value, scriptsFolder) is { } service)
                {
                    services.Add(service);
                }
            }
        }
        return problems.Count > 0
            ? new Result(null, problems)
            : new Result(new DeployConfig(file, scriptsFolder!, secrets, webhook, services), problems);
    }

    private static Exception Inner(Exception ex) => ex.InnerException is { } inner ? Inner(inner) : ex;

    private static string? ScriptsFolder(Walker walker, YamlMappingNode root, string file)
    {
        var relative = walker.Scalar(root, "scripts") ?? "scripts";
        var folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, relative));
        if (!Directory.Exists(folder))
        {
            walker.Problem(walker.Child(root, "scripts") ?? root, $"the scripts folder {folder} does not exist");
            return null;
        }
        return ScriptPath.RealPath(folder);
    }

    private static List<Regex> Secrets(Walker walker, YamlMappingNode root)
    {
        var list = new List<Regex>();
        foreach (var (node, pattern) in walker.List(root, "secrets"))
        {
            try
            {
                list.Add(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
            }
            catch (ArgumentException ex)
            {
                walker.Problem(node, $"secret pattern '{pattern}' is not a valid regular expression: {ex.Message}");
            }
        }
        return list;
    }

    private static ServiceConfig? Service(Walker walker, YamlNode key, YamlNode value, string? scriptsFolder)
    {
        var name = ((YamlScalarNode)key).Value ?? "";
        if (ServiceCatalogRules.NameProblem(name) is { } badName)
        {
            walker.Problem(key, badName);
        }
        if (value is not YamlMappingNode map)
        {
            walker.Problem(value, $"service '{name}' must be a mapping with 'environments:' and/or catalog keys such as 'description:'");
            return null;
        }
        walker.UnknownKeys(map, ServiceKeys, $"service '{name}'");
        var catalog = Catalog(walker, name, key, map);
        var autoRollback = Bool(walker, map, "auto_rollback", $"service '{name}'", false);
        var environments = new List<EnvironmentConfig>();
        // Without environments the service is in the catalog only (nothing to deploy).
        if (walker.Child(map, "environments") is { } envsNode)
        {
            if (envsNode is not YamlMappingNode envs || envs.Children.Count == 0)
            {
                walker.Problem(envsNode, $"service '{name}': 'environments:' needs at least one environment (or leave it out for a service without deploys)");
                return null;
            }
            var defaults = new Defaults(walker.Child(map, "versions"), walker.Scalar(map, "diff"), autoRollback);
            foreach (var (envKey, envValue) in envs.Children)
            {
                if (Environment(walker, name, envKey, envValue, scriptsFolder, defaults) is { } env)
                {
                    environments.Add(env);
                }
            }
        }
        else if (map.Children.Count == 0)
        {
            walker.Problem(map, $"service '{name}' needs 'environments:' or at least one catalog key ({string.Join(", ", CatalogKeys)})");
            return null;
        }
        return new ServiceConfig(name, environments) { Catalog = catalog };
    }

    private sealed record Defaults(YamlNode? Versions, string? Diff, bool AutoRollback);

    private static EnvironmentConfig? Environment(Walker walker, string service, YamlNode key, YamlNode value, string? scriptsFolder, Defaults defaults)
    {
        var name = ((YamlScalarNode)key).Value ?? "";
        var where = $"{service}/{name}";
        if (ServiceCatalogRules.NameProblem(name, "environment name") is { } badName)
        {
            walker.Problem(key, badName);
        }
        if (value is not YamlMappingNode map)
        {
            walker.Problem(value, $"{where} must be a mapping with at least 'deploy:'");
            return null;
        }
        walker.UnknownKeys(map, EnvironmentKeys, where);
        var deploy = Script(walker, map, "deploy", where, scriptsFolder, required: true);
        var rollback = Script(walker, map, "rollback", where, scriptsFolder, required: false);
        var versionsNode = walker.Child(map, "versions") ?? defaults.Versions;
        var versions = versionsNode is null ? null : VersionsCommand(walker, versionsNode, where, scriptsFolder);
        var timeout = Timeout(walker, map, where);
        var role = walker.Scalar(map, "role") ?? Roles.Engineer;
        if (role is not (Roles.Engineer or Roles.Admin))
        {
            walker.Problem(walker.Child(map, "role")!, $"{where}: role must be Engineer or Admin, not '{role}'");
        }
        var ticket = Bool(walker, map, "ticket", where, false);
        var diff = walker.Scalar(map, "diff") ?? defaults.Diff;
        if (diff is not null && !diff.Contains("{to}", StringComparison.Ordinal))
        {
            walker.Problem(walker.Child(map, "diff") ?? map, $"{where}: diff must contain {{from}} and {{to}}, e.g. https://github.com/acme/app/compare/{{from}}...{{to}}");
        }
        var selector = Selector(walker, map, where);
        var autoRollback = Bool(walker, map, "auto_rollback", where, defaults.AutoRollback);
        return deploy is null
            ? null
            : new EnvironmentConfig(service, name, deploy, rollback, versions, timeout, role, ticket, diff, scriptsFolder!)
            {
                LogSelector = selector,
                AutoRollback = autoRollback,
            };
    }

    private static string? Script(Walker walker, YamlMappingNode map, string key, string where, string? scriptsFolder, bool required)
    {
        var node = walker.Child(map, key);
        var value = walker.Scalar(map, key);
        if (value is null)
        {
            if (required)
            {
                walker.Problem(map, $"{where}: missing '{key}:' (a script in the scripts folder)");
            }
            return null;
        }
        if (scriptsFolder is null)
        {
            return null;
        }
        var error = ScriptPath.Check(scriptsFolder, value, out var resolved);
        if (error is not null)
        {
            walker.Problem(node!, $"{where}: {key} script '{value}' {error}");
        }
        return resolved;
    }

    private static string[]? VersionsCommand(Walker walker, YamlNode node, string where, string? scriptsFolder)
    {
        string[] argv = node switch
        {
            YamlScalarNode s => [s.Value ?? ""],
            YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToArray(),
            _ => [],
        };
        if (argv.Length == 0 || argv[0].Length == 0)
        {
            walker.Problem(node, $"{where}: versions must be a script name or a list [script, arg, …]");
            return null;
        }
        if (scriptsFolder is null)
        {
            return null;
        }
        var error = ScriptPath.Check(scriptsFolder, argv[0], out var resolved);
        if (error is not null)
        {
            walker.Problem(node, $"{where}: versions command '{argv[0]}' {error}");
            return null;
        }
        argv[0] = resolved!;
        return argv;
    }

    private static TimeSpan Timeout(Walker walker, YamlMappingNode map, string where)
    {
        if (walker.Scalar(map, "timeout") is not { } text)
        {
            return DefaultTimeout;
        }
        var timeout = ParseDuration(text);
        if (timeout is null || timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            walker.Problem(walker.Child(map, "timeout")!, $"{where}: timeout '{text}' must be a duration like 90s, 10m or 1h (at most 24h)");
            return DefaultTimeout;
        }
        return timeout.Value;
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        var m = Regex.Match(text.Trim(), @"^([0-9]{1,6})(s|m|h)\z", RegexOptions.CultureInvariant);
        if (!m.Success)
        {
            return null;
        }
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromHours(n),
        };
    }

    /// <summary>Node access that records a problem (with the node's line) instead of throwing.</summary>
    private sealed class Walker(string file, List<ConfigProblem> problems)
    {
        public void Problem(YamlNode node, string message) => problems.Add(new ConfigProblem(file, (int)node.Start.Line, message));

        public YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        public string? Scalar(YamlMappingNode map, string key)
        {
            var node = Child(map, key);
            if (node is null)
            {
                return null;
            }
            if (node is YamlScalarNode { Value: { Length: > 0 } value })
            {
                return value;
            }
            Problem(node, $"'{key}' must be a single value");
            return null;
        }

        public IEnumerable<(YamlNode Node, string Value)> List(YamlMappingNode map, string key)
        {
            var node = Child(map, key);
            if (node is null)
            {
                return [];
            }
            if (node is YamlSequenceNode seq && seq.Children.All(c => c is YamlScalarNode))
            {
                return seq.Children.Select(c => (c, ((YamlScalarNode)c).Value ?? ""));
            }
            Problem(node, $"'{key}' must be a list");
            return [];
        }

        /// <summary>A list, or a single value standing for a list of one.</summary>
        public IEnumerable<(YamlNode Node, string Value)> ListOrScalar(YamlMappingNode map, string key) =>
            Child(map, key) is YamlScalarNode { Value: { Length: > 0 } single } node ? [(node, single)] : List(map, key);

        public void UnknownKeys(YamlMappingNode map, string[] allowed, string where)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value;
                if (name is null || !allowed.Contains(name))
                {
                    Problem(key, $"unknown key '{name}' in {where}; expected one of: {string.Join(", ", allowed)}");
                }
            }
        }
    }
}
