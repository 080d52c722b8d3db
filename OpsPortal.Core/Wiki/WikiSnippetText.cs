using System.Text.RegularExpressions;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// A search snippet is a cut of the page's markdown (<c>ts_headline</c> over the body): this reads it
/// as the text a person sees, without <c>**</c>, <c>##</c>, <c>[[…]]</c>, link targets or table pipes.
/// A cut can start or end inside a construct, so this is pattern work, not a parse; whatever is left
/// over is still shown encoded, never as markup.
/// </summary>
internal static partial class WikiSnippetText
{
    // [[target|label]] → label, [[Page]] → Page
    [GeneratedRegex(@"\[\[([^\[\]|\n]*)\|([^\[\]\n]*)\]\]|\[\[([^\[\]\n]*)\]\]", RegexOptions.CultureInvariant)]
    private static partial Regex WikiLink();

    // ![alt](src) → alt, [text](href) → text; a target cut off by the snippet's end goes too.
    [GeneratedRegex(@"!?\[([^\[\]\n]*)\]\([^)\n]*(?:\)|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    // Headings, quotes, list bullets and task boxes, numbered items, fences, table rule rows: at a line start.
    [GeneratedRegex(@"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,9}[.)][ \t]+|(?:```|~~~)[^\n]*|\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*(?=\n|\z))", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LineMarker();

    // **strong**, __strong__, ~~struck~~, `code`, and * or _ emphasis that touches a word on one side only.
    [GeneratedRegex(@"\*\*|__|~~|`|(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])", RegexOptions.CultureInvariant)]
    private static partial Regex Emphasis();

    // Cells of a row, and rows' outer pipes meeting across a line end, become one separator.
    [GeneratedRegex(@"\s*\|(?:\s*\|)*\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Pipe();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Space();

    public static string Plain(string markdown)
    {
        var text = WikiLink().Replace(markdown, m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value);
        text = Link().Replace(text, "$1");
        text = LineMarker().Replace(text, "");
        text = Emphasis().Replace(text, "");
        text = Pipe().Replace(text, " · ");
        return Space().Replace(text, " ").Trim(' ', '·');
    }
}
