using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// A small server-side highlighter for the languages runbooks are written in (shell, SQL, YAML,
/// JSON, C-like languages, Python, nginx/ini): comments, strings, numbers, keywords and variables
/// become <c>&lt;span class="tok-…"&gt;</c>. Everything is HTML-encoded; the spans are the only
/// markup. Server-side so pages highlight without script, in the preview too.
/// </summary>
internal static class CodeHighlighter
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.ExplicitCapture;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    private const string DoubleQuoted = "\"(?:[^\"\\\\\\n]|\\\\.)*\"";
    private const string SingleQuoted = "'(?:[^'\\\\\\n]|\\\\.)*'";
    private const string Number = @"\b\d+(?:\.\d+)?\b";

    private static readonly Regex Shell = Build(
        ("comment", @"(?<![\w$])#.*$"), ("string", DoubleQuoted + "|" + SingleQuoted), ("variable", @"\$\{[^}\n]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*!$-]"),
        ("keyword", Words("if then else elif fi for while until do done case esac function in return exit export local set unset sudo select")),
        ("number", Number));

    private static readonly Regex Sql = Build(
        ("comment", "--.*$|/\\*[\\s\\S]*?\\*/"), ("string", "'(?:[^']|'')*'"),
        ("keyword", "(?i)" + Words("select from where and or not in is null as join left right inner outer full on group by order having limit offset insert into values update set delete create alter drop table index view with union all distinct case when then else end begin commit rollback explain analyze vacuum grant revoke primary key references returning exists between like ilike desc asc true false interval")),
        ("number", Number));

    private static readonly Regex Yaml = Build(
        ("comment", @"(?<!\S)#.*$"), ("key", @"^[ \t-]*[A-Za-z0-9_.""'/-]+(?=:(?:\s|$))"), ("string", DoubleQuoted + "|" + SingleQuoted),
        ("keyword", Words("true false null yes no on off")), ("number", Number));

    private static readonly Regex Json = Build(
        ("key", DoubleQuoted + @"(?=\s*:)"), ("string", DoubleQuoted), ("keyword", Words("true false null")), ("number", @"-?" + Number));

    private static readonly Regex CLike = Build(
        ("comment", "//.*$|/\\*[\\s\\S]*?\\*/"), ("string", DoubleQuoted + "|" + SingleQuoted + "|`[^`]*`"),
        ("keyword", Words("abstract async await break case catch class const continue default do else enum export extends false final finally for foreach func function go if import in interface internal let namespace new null nil override package private protected public readonly return static struct switch this throw true try type typeof using var void while yield")),
        ("number", Number));

    private static readonly Regex Python = Build(
        ("comment", "#.*$"), ("string", "\"\"\"[\\s\\S]*?\"\"\"|" + DoubleQuoted + "|" + SingleQuoted),
        ("keyword", Words("and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None not or pass raise return True try while with yield")),
        ("number", Number));

    private static readonly Regex Config = Build(
        ("comment", @"(?<!\S)[#;].*$"), ("string", DoubleQuoted + "|" + SingleQuoted), ("variable", @"\$[A-Za-z_][A-Za-z0-9_]*"),
        ("key", @"^\s*\[[^\]\n]+\]|^\s*[A-Za-z_][\w.-]*(?=\s*=|\s+\S)"), ("number", Number));

    private static readonly Dictionary<string, Regex> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bash"] = Shell,
        ["sh"] = Shell,
        ["shell"] = Shell,
        ["console"] = Shell,
        ["zsh"] = Shell,
        ["sql"] = Sql,
        ["psql"] = Sql,
        ["postgres"] = Sql,
        ["postgresql"] = Sql,
        ["yaml"] = Yaml,
        ["yml"] = Yaml,
        ["json"] = Json,
        ["csharp"] = CLike,
        ["cs"] = CLike,
        ["c#"] = CLike,
        ["js"] = CLike,
        ["javascript"] = CLike,
        ["ts"] = CLike,
        ["typescript"] = CLike,
        ["go"] = CLike,
        ["java"] = CLike,
        ["c"] = CLike,
        ["cpp"] = CLike,
        ["rust"] = CLike,
        ["python"] = Python,
        ["py"] = Python,
        ["nginx"] = Config,
        ["ini"] = Config,
        ["conf"] = Config,
        ["toml"] = Config,
        ["properties"] = Config,
    };

    public static bool Knows(string language) => Languages.ContainsKey(language);

    /// <summary>The code as HTML with token spans; plain encoded text for an unknown language (or a pathological input).</summary>
    public static string ToHtml(string code, string language)
    {
        if (!Languages.TryGetValue(language, out var regex))
        {
            return WebUtility.HtmlEncode(code);
        }
        var html = new StringBuilder(code.Length * 2);
        var at = 0;
        try
        {
            foreach (Match match in regex.Matches(code))
            {
                var group = match.Groups.Values.Skip(1).First(g => g.Success);
                html.Append(WebUtility.HtmlEncode(code[at..match.Index]))
                    .Append("<span class=\"tok-").Append(group.Name).Append("\">")
                    .Append(WebUtility.HtmlEncode(match.Value))
                    .Append("</span>");
                at = match.Index + match.Length;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return WebUtility.HtmlEncode(code);
        }
        return html.Append(WebUtility.HtmlEncode(code[at..])).ToString();
    }

    private static string Words(string words) => @"\b(?:" + string.Join('|', words.Split(' ')) + @")\b";

    private static Regex Build(params (string Name, string Pattern)[] rules) =>
        new(string.Join('|', rules.Select(r => $"(?<{r.Name}>{r.Pattern})")), Options, Timeout);
}
