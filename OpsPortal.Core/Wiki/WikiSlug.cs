using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// Page addresses: lower-case segments of letters, digits and dashes joined by <c>/</c>
/// (<c>databases/postgres/failover</c>). Stable and readable in a URL, so they can be typed in a
/// hurry and pasted in tickets.
/// </summary>
public static partial class WikiSlug
{
    public const int MaxLength = 200;

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ValidPattern();

    /// <summary>Segments the URLs use for a page's history and diffs (<c>/wiki/a/b/revisions</c>), so no page may use them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal) { "revisions", "diff", "edit", "new" };

    public static bool IsValid(string? slug) => slug is { Length: > 0 and <= MaxLength } && ValidPattern().IsMatch(slug)
        && !slug.Split('/').Any(Reserved.Contains);

    /// <summary>The error for a person, or null when <paramref name="slug"/> is valid.</summary>
    public static string? Validate(string? slug) => IsValid(slug)
        ? null
        : $"A page address is 1 to {MaxLength} characters: lower-case letters, digits and dashes, in segments separated by '/' " +
          $"(e.g. databases/postgres/failover); the words {string.Join(", ", Reserved.Order())} cannot be segments.";

    /// <summary>
    /// Turns what a person wrote (a title, <c>[[Postgres replica lag]]</c>, <c>Databases/Postgres</c>)
    /// into a slug: lower case, accents dropped, anything else between words becomes one dash.
    /// Returns an empty string when nothing usable is left.
    /// </summary>
    public static string From(string text)
    {
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(Segment)
            .Where(s => s.Length > 0);
        var slug = string.Join('/', segments);
        return slug.Length <= MaxLength ? slug : slug[..MaxLength].TrimEnd('-', '/');
    }

    private static string Segment(string text)
    {
        var sb = new StringBuilder(text.Length);
        var dash = false;
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            var lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (dash && sb.Length > 0)
                {
                    sb.Append('-');
                }
                sb.Append(lower);
                dash = false;
            }
            else
            {
                dash = true;
            }
        }
        return sb.ToString();
    }

    /// <summary>The parent's slug, or null for a top-level page.</summary>
    internal static string? Parent(string slug)
    {
        var cut = slug.LastIndexOf('/');
        return cut < 0 ? null : slug[..cut];
    }
}

public static class WikiPageRules
{
    public const int MaxTitleLength = 200;
    public const int MaxMessageLength = 500;
    public const int MaxServiceLength = 100;
    public const int MaxServices = 20;
}
