using System.Text.RegularExpressions;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Tests.Security;

/// <summary>
/// In .NET, <c>$</c> also matches before a final newline, so <c>^…$</c> let <c>"7.7.7\n"</c> through as
/// a version. Every validating pattern ends with <c>\z</c>; the scan keeps new ones from forgetting.
/// </summary>
public sealed partial class InputAnchoringTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Values_WithATrailingNewline_AreRefused(string newline)
    {
        Assert.False(DeployVersion.IsValid("7.7.7" + newline));
        Assert.NotNull(DeployVersion.Problem("7.7.7" + newline));
        Assert.False(WikiSlug.IsValid("runbooks/db" + newline));
        Assert.False(DeployTickets.LooksLikeKey("OPS-12" + newline));
        Assert.DoesNotMatch(TicketRules.PrefixPattern(), "OPS" + newline);
    }

    [Fact]
    public void ValidatingRegexes_InTheWholeRepository_EndWithBackslashZ()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OpsPortal.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("OpsPortal.sln not found above the test binaries.");
        }
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            // e2e regexes are handed to the browser, where JavaScript's $ has no such trap and \z does not exist.
            if (relative.Split(Path.DirectorySeparatorChar) is var parts && (parts.Contains("bin") || parts.Contains("obj") || parts[0] == "e2e")
                || file.EndsWith(nameof(InputAnchoringTests) + ".cs", StringComparison.Ordinal))
            {
                continue;
            }
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (DollarAnchoredPattern().IsMatch(lines[i]))
                {
                    offenders.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        Assert.True(offenders.Count == 0, "Anchor validating patterns with \\z, not $:\n" + string.Join('\n', offenders));
    }

    // A string literal that starts with ^ and ends with $ — the shape of a whole-input check.
    [GeneratedRegex("""@?"\^[^"\r\n]*\$"(?!")""")]
    private static partial Regex DollarAnchoredPattern();
}
