using System.Text.RegularExpressions;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// The version rule (docs/processes.md, "Versions"). A version reaches the script only as an environment variable (never
/// through a shell), and this pattern keeps it to characters no shell or URL treats specially anyway.
/// </summary>
public static partial class DeployVersion
{
    public const string Pattern = @"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\z";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Valid();

    public static bool IsValid(string? version) => version is not null && Valid().IsMatch(version);

    /// <summary>Null when valid; otherwise what is wrong, in words.</summary>
    public static string? Problem(string? version) => version switch
    {
        null or "" => "A version is required.",
        { Length: > 128 } => "A version is at most 128 characters.",
        _ when IsValid(version) => null,
        _ => $"'{version}' is not a valid version: it must start with a letter or digit and contain only letters, digits, '.', '_', '+' and '-'.",
    };
}
