using System.Globalization;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>The text of a page: what, where, which level, and the person's own acknowledge link.</summary>
internal static class PageMessages
{
    public static NotificationMessage ForPerson(Page page, string ackToken, DateTimeOffset expires, string? publicUrl) =>
        Message(page, [new NotificationLink("Acknowledge", AckPath(ackToken))],
            $"Acknowledge (one click, no sign-in; this link is yours, works once, until {Utc(expires)}):\n{Absolute(publicUrl, AckPath(ackToken))}");

    /// <summary>For a channel (a team room): the page in the portal, where a signed-in person acknowledges.</summary>
    public static NotificationMessage ForChannel(Page page, string? publicUrl) =>
        Message(page, [], $"Acknowledge in the portal: {Absolute(publicUrl, PagePath(page.Id))}");

    public static string AckPath(string token) => "/ack/" + token;

    public static string PagePath(long pageId) => "/oncall/pages/" + pageId.ToString(CultureInfo.InvariantCulture);

    private static NotificationMessage Message(Page page, List<NotificationLink> first, string ackLine)
    {
        var levels = page.Levels.Count;
        var level = $"level {page.Level + 1} of {levels}" + (page.Repeat > 0 ? $", round {page.Cycle + 1} of {page.Repeat + 1}" : "");
        var timeout = page.Levels[page.Level].TimeoutMinutes;
        var next = page.Level + 1 < levels || page.Cycle < page.Repeat
            ? $"Not acknowledged within {timeout} min, the next level is paged."
            : $"This is the last level: nobody else is paged after {timeout} min.";
        var text = string.Join('\n', new[]
        {
            page.Summary,
            page.Detail ?? "",
            "",
            $"Service: {page.Service}",
            $"Paged by the escalation policy {page.PolicyName}, {level}. {next}",
            "",
            ackLine,
        }.Where((line, i) => i != 1 || line.Length > 0));
        var labels = new Dictionary<string, string>
        {
            ["service"] = page.Service,
            ["page"] = page.Id.ToString(CultureInfo.InvariantCulture),
            ["policy"] = page.PolicyName,
            ["level"] = (page.Level + 1).ToString(CultureInfo.InvariantCulture),
        };
        return new NotificationMessage($"[PAGE] {page.Severity.ToUpperInvariant()} {page.Service}: {page.Summary}", text, page.Severity, labels,
            [.. first, .. page.Links, new NotificationLink("Page", PagePath(page.Id))], page.EventSubjectType, page.EventSubjectId,
            "page-" + page.Id.ToString(CultureInfo.InvariantCulture));
    }

    private static string Absolute(string? publicUrl, string path) =>
        string.IsNullOrWhiteSpace(publicUrl) ? path : publicUrl.TrimEnd('/') + path;

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
