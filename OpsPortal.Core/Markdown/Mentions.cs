using System.Text.RegularExpressions;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// The <c>@name</c> mentions in a markdown text: <c>@ann</c> (the part of an email before the @) or <c>@ann@example.com</c>.
/// Code spans and blocks are not read (a shell prompt or a decorator is no mention), nor an email address in running
/// text (<c>write to ann@example.com</c>: the @ follows a letter). Lower-cased, each once, at most <see cref="Max"/>.
/// </summary>
public static partial class Mentions
{
    public const int Max = 20;

    [GeneratedRegex(@"(?<![\w@.`])@([A-Za-z0-9][A-Za-z0-9._-]{0,63}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")]
    private static partial Regex Mention();

    [GeneratedRegex(@"```.*?(```|$)|~~~.*?(~~~|$)|`[^`\n]*`", RegexOptions.Singleline)]
    private static partial Regex Code();

    public static IReadOnlyList<string> In(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown) || !markdown.Contains('@', StringComparison.Ordinal))
        {
            return [];
        }
        var text = Code().Replace(markdown, " ");
        return Mention().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.', '-', '_').ToLowerInvariant())
            .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Take(Max).ToList();
    }
}
