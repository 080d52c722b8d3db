using System.Text.RegularExpressions;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// Finds <c>[[Page]]</c> and <c>[[path/to/page|label]]</c> links in markdown, outside code, for the
/// backlink and broken-link tables. The renderer turns the same syntax into anchors.
/// </summary>
internal static partial class WikiLinkParser
{
    [GeneratedRegex(@"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{0,200}))?\]\]", RegexOptions.CultureInvariant)]
    public static partial Regex LinkPattern();

    // Fenced blocks (``` or ~~~) and inline code spans: a link written there is an example, not a link.
    [GeneratedRegex(@"^(```|~~~)[^\n]*\n.*?(?:^\1[ \t]*$|\z)|`[^`\n]+`", RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    /// <summary>The distinct page names (as written, trimmed) whose address is valid, in order of appearance.</summary>
    public static IReadOnlyList<string> Names(string markdown)
    {
        var text = CodePattern().Replace(markdown, "");
        return LinkPattern().Matches(text)
            .Select(m => m.Groups[1].Value.Trim())
            .Where(n => WikiSlug.IsValid(WikiSlug.From(n)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The distinct target slugs linked from <paramref name="markdown"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> Targets(string markdown) =>
        Names(markdown).Select(WikiSlug.From).Distinct(StringComparer.Ordinal).ToList();
}
