using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsPortal.Core.Notifications;

/// <summary>How a delivery looks on each kind of receiver. Pure, so tests read exactly what is sent.</summary>
internal static class NotificationFormat
{
    /// <summary>The link's URL made absolute with the portal's address (a path stays a path when none is configured).</summary>
    public static string AbsoluteUrl(string url, string? publicUrl) =>
        url.StartsWith('/') && !string.IsNullOrWhiteSpace(publicUrl) ? publicUrl.TrimEnd('/') + url : url;

    public static string Color(string severity) => severity switch
    {
        NotificationSeverity.Critical => "#d32f2f",
        NotificationSeverity.Warning => "#f57c00",
        NotificationSeverity.Ok => "#2e7d32",
        _ => "#1976d2",
    };

    public static string Icon(string severity) => severity switch
    {
        NotificationSeverity.Critical => "🔴",
        NotificationSeverity.Warning => "🟠",
        NotificationSeverity.Ok => "✅",
        _ => "ℹ️",
    };

    /// <summary>The email subject: the severity in capitals in brackets, then the subject line (test messages say so).</summary>
    public static string EmailSubject(NotificationDelivery d) =>
        $"[{d.Severity.ToUpperInvariant()}]{(d.IsTest ? " [TEST]" : "")} {d.Subject}";

    /// <summary>
    /// Slack-compatible JSON: a <c>text</c> fallback with the headline, body and links in Slack's mrkdwn, and one
    /// attachment coloured by severity with the labels as fields. Slack, Mattermost and Rocket.Chat render it.
    /// </summary>
    public static JsonObject Slack(NotificationDelivery d, string? publicUrl)
    {
        var text = new StringBuilder()
            .Append(Icon(d.Severity)).Append(" *").Append(SlackEscape(d.Subject)).Append('*');
        if (d.IsTest)
        {
            text.Append(" _(test message)_");
        }
        if (d.Text.Length > 0)
        {
            text.Append('\n').Append(SlackEscape(d.Text));
        }
        if (d.Links.Count > 0)
        {
            text.Append('\n').AppendJoin(" · ", d.Links.Select(l => $"<{AbsoluteUrl(l.Url, publicUrl)}|{SlackEscape(l.Title)}>"));
        }
        var fields = new JsonArray();
        foreach (var (key, value) in d.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            fields.Add(new JsonObject { ["title"] = key, ["value"] = value, ["short"] = true });
        }
        return new JsonObject
        {
            ["text"] = text.ToString(),
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["color"] = Color(d.Severity),
                ["fields"] = fields,
                ["footer"] = $"OpsPortal · {d.Severity}",
                ["ts"] = d.CreatedAt.ToUnixTimeSeconds(),
            }),
        };
    }

    /// <summary>The generic JSON body (version 1; docs/notifications.md shows it).</summary>
    public static JsonObject Json(NotificationDelivery d, string? publicUrl)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in d.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            labels[key] = value;
        }
        var links = new JsonArray();
        foreach (var link in d.Links)
        {
            links.Add(new JsonObject { ["title"] = link.Title, ["url"] = AbsoluteUrl(link.Url, publicUrl) });
        }
        return new JsonObject
        {
            ["version"] = "1",
            ["deliveryId"] = d.Id,
            ["subject"] = d.Subject,
            ["text"] = d.Text,
            ["severity"] = d.Severity,
            ["labels"] = labels,
            ["links"] = links,
            ["subjectType"] = d.SubjectType,
            ["subjectId"] = d.SubjectId,
            ["dedupKey"] = d.DedupKey,
            ["queuedAt"] = d.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["test"] = d.IsTest,
        };
    }

    /// <summary>The plain-text email body: the text, then the labels, then the links.</summary>
    public static string EmailText(NotificationDelivery d, string? publicUrl)
    {
        var body = new StringBuilder();
        if (d.IsTest)
        {
            body.Append("This is a test message from OpsPortal.\n\n");
        }
        body.Append(d.Text).Append("\n\n");
        foreach (var (key, value) in d.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            body.Append(key).Append(": ").Append(value).Append('\n');
        }
        foreach (var link in d.Links)
        {
            body.Append('\n').Append(link.Title).Append(": ").Append(AbsoluteUrl(link.Url, publicUrl));
        }
        return body.ToString().TrimEnd() + "\n";
    }

    /// <summary>The HTML alternative: everything from the message is encoded, so nothing in it can become markup.</summary>
    public static string EmailHtml(NotificationDelivery d, string? publicUrl)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder()
            .Append("<div style=\"font-family:sans-serif\">")
            .Append("<div style=\"border-left:6px solid ").Append(Color(d.Severity)).Append(";padding-left:12px\">")
            .Append("<h2 style=\"margin:0 0 8px\">").Append(E(d.Subject)).Append("</h2>");
        if (d.IsTest)
        {
            html.Append("<p><em>This is a test message from OpsPortal.</em></p>");
        }
        html.Append("<p style=\"white-space:pre-wrap\">").Append(E(d.Text)).Append("</p>");
        if (d.Links.Count > 0)
        {
            html.Append("<p>").AppendJoin(" · ", d.Links.Select(l => $"<a href=\"{E(AbsoluteUrl(l.Url, publicUrl))}\">{E(l.Title)}</a>")).Append("</p>");
        }
        html.Append("<table style=\"font-size:12px;color:#555\">");
        foreach (var (key, value) in d.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(E(key)).Append("</td><td>").Append(E(value)).Append("</td></tr>");
        }
        return html.Append("</table></div></div>").ToString();
    }

    // Slack's three control characters; everything else is literal text.
    private static string SlackEscape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
