using System.Text.RegularExpressions;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// The rules a catalog entry obeys, wherever it is written (services.yaml or the UI/API): each check
/// returns null when the value is fine, otherwise a sentence saying what is wrong.
/// </summary>
public static class ServiceCatalogRules
{
    public const int MaxDescription = 2000;
    public const int MaxOwners = 20;
    public const int MaxLinks = 20;
    public const int MaxDependencies = 50;
    public const int MaxSelector = 2000;
    public const int MaxLinkTitle = 60;
    public const int MaxUrl = 2000;
    public const int MaxTier = 4;

    private static readonly Regex NamePattern = new(@"^[a-z0-9][a-z0-9._-]{0,62}\z", RegexOptions.CultureInvariant);
    private static readonly Regex OwnerPattern = new(@"^(team:[a-z0-9][a-z0-9._-]{0,62}|[^@\s]{1,128}@[^@\s]{1,255})\z", RegexOptions.CultureInvariant);

    public static bool IsValidName(string? name) => name is not null && NamePattern.IsMatch(name);

    public static string? NameProblem(string? name, string what = "service name") =>
        IsValidName(name) ? null : $"{what} '{name}' must be lower-case letters, digits, '.', '_' or '-' (at most 63)";

    public static string? OwnerProblem(string owner) =>
        OwnerPattern.IsMatch(owner) ? null : $"owner '{owner}' must be an email (someone@example.com) or a team (team:web)";

    public static string? TierProblem(int tier) =>
        tier is >= 1 and <= MaxTier ? null : $"tier must be 1 (most critical) to {MaxTier}, not {tier}";

    public static string? DescriptionProblem(string? description) =>
        description is { Length: > MaxDescription } ? $"description is longer than {MaxDescription} characters" : null;

    /// <summary>An escalation policy is named; whether it exists is checked when a page needs it (and shown on the service).</summary>
    public static string? PolicyProblem(string policy) =>
        policy.Length is 0 or > 100 ? "escalation_policy must name a policy (1–100 characters)" : null;

    public static string? LinkProblem(string title, string url)
    {
        if (title.Trim().Length is 0 or > MaxLinkTitle)
        {
            return $"link title '{title}' must be 1–{MaxLinkTitle} characters";
        }
        return url.Length <= MaxUrl && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null
            : $"link '{title}' must be an http(s) URL, not '{url}'";
    }

    /// <summary>Null when <paramref name="selector"/> is a valid query in the log language (the same parser the Logs page uses).</summary>
    public static string? SelectorProblem(string selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return "log selector is empty (leave it out for the default host:NAME)";
        }
        if (selector.Length > MaxSelector)
        {
            return $"log selector is longer than {MaxSelector} characters";
        }
        return LogQuery.Parse(selector).Refusal is { } invalid ? $"log selector '{selector}' is not a valid log query: {invalid.Detail}" : null;
    }

    public static string? DependencyProblem(string service, string dependency) =>
        dependency == service ? $"service '{service}' cannot depend on itself" : NameProblem(dependency, "dependency");

    /// <summary>The log query of a service that says nothing: its name as the virtual host.</summary>
    public static string DefaultSelector(string service) => "host:" + service;
}
