using System.Text.RegularExpressions;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>Replaces matches of the configured secret patterns before a line is stored or shown anywhere.</summary>
internal sealed class SecretMasker(IReadOnlyList<Regex> patterns)
{
    public const string Mask = "••••••";

    public string Apply(string line)
    {
        foreach (var pattern in patterns)
        {
            try
            {
                line = pattern.Replace(line, Mask);
            }
            catch (RegexMatchTimeoutException)
            {
                // A pattern that cannot decide in time must not let the line through unmasked.
                return "[line hidden: a secret pattern timed out on it]";
            }
        }
        return line;
    }
}
