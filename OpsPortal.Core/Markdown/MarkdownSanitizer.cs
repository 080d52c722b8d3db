using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Ganss.Xss;

namespace OpsPortal.Core.Markdown;

/// <summary>
/// The last step of the markdown pipeline: HtmlSanitizer with OpsPortal's rules. Beyond removing
/// scripts, handlers and unsafe URLs, it keeps authors away from the portal's own page:
/// <list type="bullet">
/// <item>classes only from <see cref="IsAllowedClass"/> (what the pipeline itself writes: code
/// languages and tokens, ticket and wiki links, task lists, footnotes), so no
/// <c>mud-overlay</c> can cover the page;</item>
/// <item>ids only on headings (the table-of-contents anchors) and footnotes;</item>
/// <item>style only <c>text-align</c> on table cells;</item>
/// <item>images only from the portal itself: a remote image becomes a visible placeholder with a
/// link, so no reader's browser fetches from a host an author chose (and the CSP would block it anyway).</item>
/// </list>
/// </summary>
internal static partial class MarkdownSanitizer
{
    private static readonly HashSet<string> AllowedClasses = new(StringComparer.Ordinal)
    {
        "ticket-ref", "wiki-link", "wiki-link-missing", "highlighted",
        "contains-task-list", "task-list-item", "task-list-item-checkbox",
        "footnotes", "footnote-ref", "footnote-back-ref", "math", "remote-image",
    };

    [GeneratedRegex(@"\A(language-[A-Za-z0-9_+#.-]{1,40}|tok-[a-z]{1,20})\z", RegexOptions.CultureInvariant)]
    private static partial Regex GeneratedClass();

    [GeneratedRegex(@"\Afn(ref)?:[0-9]{1,6}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FootnoteId();

    public static bool IsAllowedClass(string name) => AllowedClasses.Contains(name) || GeneratedClass().IsMatch(name);

    public static HtmlSanitizer Create()
    {
        var sanitizer = new HtmlSanitizer();
        // Heading anchors, code-language classes, task-list checkboxes and ticket hover titles are ours.
        foreach (var attribute in new[] { "id", "class", "title", "data-status", "checked", "disabled", "type", "rel", "target" })
        {
            sanitizer.AllowedAttributes.Add(attribute);
        }
        sanitizer.AllowedAttributes.Remove("srcset");
        sanitizer.AllowedAttributes.Remove("background");
        sanitizer.AllowedTags.Add("input");
        sanitizer.AllowedSchemes.Add("mailto");
        // Table column alignment is the only style markdown produces; anything else could overlay the page.
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedCssProperties.Add("text-align");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement element)
            {
                PostProcess(element);
            }
        };
        return sanitizer;
    }

    private static void PostProcess(IElement element)
    {
        switch (element.LocalName)
        {
            case "input" when !string.Equals(element.GetAttribute("type"), "checkbox", StringComparison.OrdinalIgnoreCase):
                element.Remove();
                return;
            case "img" when !IsLocal(element.GetAttribute("src")):
                element.Replace(RemoteImagePlaceholder(element));
                return;
            case "a" when element.GetAttribute("href") is { } href
                && (href.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || href.StartsWith("https://", StringComparison.OrdinalIgnoreCase)):
                // Links that leave the portal open in a new tab and don't leak the opener.
                element.SetAttribute("rel", "noopener noreferrer");
                element.SetAttribute("target", "_blank");
                break;
        }
        if (element.GetAttribute("class") is { } classes)
        {
            var kept = classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(IsAllowedClass).ToList();
            if (kept.Count == 0)
            {
                element.RemoveAttribute("class");
            }
            else
            {
                element.SetAttribute("class", string.Join(' ', kept));
            }
        }
        if (element.GetAttribute("id") is { } id && !IsHeading(element) && !FootnoteId().IsMatch(id))
        {
            element.RemoveAttribute("id");
        }
        if (element.HasAttribute("style") && element.LocalName is not ("th" or "td"))
        {
            element.RemoveAttribute("style");
        }
    }

    // Only the portal's own paths ("/api/wiki-images/…"); "//host" is another host.
    private static bool IsLocal(string? src) =>
        src is { Length: > 1 } && src[0] == '/' && src[1] is not ('/' or '\\');

    private static bool IsHeading(IElement element) => element.LocalName is "h1" or "h2" or "h3" or "h4" or "h5" or "h6";

    private static IElement RemoteImagePlaceholder(IElement image)
    {
        var document = image.Owner!;
        var src = image.GetAttribute("src");
        var alt = image.GetAttribute("alt") is { Length: > 0 } a ? a : "image";
        var placeholder = document.CreateElement("span");
        placeholder.SetAttribute("class", "remote-image");
        placeholder.SetAttribute("title", "The portal shows no images from other hosts.");
        var insideLink = image.Closest("a") is not null;
        var uri = Uri.TryCreate(src, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? parsed : null;
        if (uri is not null && !insideLink)
        {
            placeholder.TextContent = $"[{alt}: remote image from {uri.Host} not shown] ";
            var link = document.CreateElement("a");
            link.SetAttribute("href", uri.AbsoluteUri);
            link.SetAttribute("rel", "noopener noreferrer");
            link.SetAttribute("target", "_blank");
            link.TextContent = "open it";
            placeholder.AppendChild(link);
        }
        else
        {
            placeholder.TextContent = uri is null ? $"[{alt}: image not shown]" : $"[{alt}: remote image from {uri.Host} not shown]";
        }
        return placeholder;
    }
}
