using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// One condition on a message label, as in Alertmanager: <c>service=web</c>, <c>service!=web</c>,
/// <c>severity=~critical|warning</c> (a regular expression over the whole value), <c>host!~db.*</c>.
/// A label the message lacks has the value "" (so <c>team!=ops</c> matches a message without a team).
/// </summary>
public sealed record RouteMatcher(string Label, string Op, string Value)
{
    public const string EqualOp = "=";
    public const string NotEqualOp = "!=";
    public const string RegexOp = "=~";
    public const string NotRegexOp = "!~";

    private static readonly string[] Ops = [RegexOp, NotRegexOp, NotEqualOp, EqualOp];
    private static readonly TimeSpan RegexBudget = TimeSpan.FromMilliseconds(50);
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    internal bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var actual = labels.TryGetValue(Label, out var v) ? v : "";
        return Op switch
        {
            EqualOp => string.Equals(actual, Value, StringComparison.Ordinal),
            NotEqualOp => !string.Equals(actual, Value, StringComparison.Ordinal),
            RegexOp => RegexMatches(actual),
            NotRegexOp => !RegexMatches(actual),
            _ => false,
        };
    }

    // A pattern that runs away is treated as "no match" rather than stalling delivery.
    private bool RegexMatches(string actual)
    {
        try
        {
            return Anchored(Value).IsMatch(actual);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Regex Anchored(string pattern) => Compiled.GetOrAdd(pattern,
        p => new Regex($@"^(?:{p})\z", RegexOptions.CultureInvariant, RegexBudget));

    /// <summary>Null when valid, else what is wrong (for forms and problem details).</summary>
    internal string? Problem()
    {
        if (!NotificationRules.LabelName().IsMatch(Label ?? ""))
        {
            return $"'{Label}' is not a label name (letters, digits, '_', '-', '.'; up to 64).";
        }
        if (!Ops.Contains(Op, StringComparer.Ordinal))
        {
            return $"'{Op}' is not an operator: use =, !=, =~ or !~.";
        }
        if ((Value ?? "").Length > NotificationRules.MaxLabelValue)
        {
            return $"The value for '{Label}' is longer than {NotificationRules.MaxLabelValue} characters.";
        }
        if (Op is RegexOp or NotRegexOp)
        {
            try
            {
                _ = new Regex(Value!, RegexOptions.CultureInvariant, RegexBudget);
            }
            catch (ArgumentException ex)
            {
                return $"'{Value}' is not a regular expression: {ex.Message}";
            }
        }
        return null;
    }

    public override string ToString() =>
        Label + Op + (Value.Any(c => char.IsWhiteSpace(c) || c is ',' or '"') ? "\"" + Value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : Value);

    /// <summary>Text for a form: the matchers separated by commas.</summary>
    public static string Format(IEnumerable<RouteMatcher> matchers) => string.Join(", ", matchers);

    /// <summary>
    /// Parses <c>service=web, severity=~"critical|warning"</c>: matchers separated by commas; a value may be
    /// quoted (with \" inside) to hold spaces or commas. Empty text is no matcher (matches everything).
    /// </summary>
    public static Result<List<RouteMatcher>> Parse(string? text)
    {
        var list = new List<RouteMatcher>();
        var s = text ?? "";
        var i = 0;
        while (true)
        {
            while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] == ','))
            {
                i++;
            }
            if (i >= s.Length)
            {
                return list;
            }
            var start = i;
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '-' or '.'))
            {
                i++;
            }
            var label = s[start..i];
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }
            var op = Ops.FirstOrDefault(o => string.CompareOrdinal(s, i, o, 0, o.Length) == 0);
            if (label.Length == 0 || op is null)
            {
                return Refusal.InvalidField("matchers", $"Expected a matcher like service=web at position {start} of \"{s}\".");
            }
            i += op.Length;
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }
            var value = new StringBuilder();
            if (i < s.Length && s[i] == '"')
            {
                i++;
                while (i < s.Length && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                    }
                    value.Append(s[i++]);
                }
                if (i >= s.Length)
                {
                    return Refusal.InvalidField("matchers", $"A quote opened at position {start} is not closed.");
                }
                i++;
            }
            else
            {
                while (i < s.Length && s[i] != ',')
                {
                    value.Append(s[i++]);
                }
            }
            var matcher = new RouteMatcher(label, op, value.ToString().Trim());
            if (matcher.Problem() is { } problem)
            {
                return Refusal.InvalidField("matchers", problem);
            }
            list.Add(matcher);
        }
    }
}
