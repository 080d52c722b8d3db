namespace OpsPortal.Core.Notifications;

/// <summary>
/// What a feature wants said, independent of where it goes: the outbox turns one message into one
/// delivery per channel (or per explicit target), and the senders render it as Slack-compatible JSON,
/// generic JSON or an email.
/// </summary>
/// <param name="Subject">One line: the email subject and the chat message's headline.</param>
/// <param name="Text">The body, plain text (several lines allowed): what, where, since when, value vs threshold.</param>
/// <param name="Severity">One of <see cref="NotificationSeverity"/>: critical, warning, ok, info.</param>
/// <param name="Labels">Routing and display labels (service, rule, severity, host …); routes match on them.</param>
/// <param name="Links">Links shown with the message (the alert, the runbook …); a path starting with '/' is made absolute with <c>OpsPortal:PublicUrl</c>.</param>
/// <param name="SubjectType">The spine subject the message is about (e.g. <c>alert</c>); the queued/delivered/failed events go on its timeline.</param>
/// <param name="SubjectId">The subject's id.</param>
/// <param name="DedupKey">The same key for the messages about one thing (firing, then resolved): sent to receivers so they can group or
/// de-duplicate, and used to thread emails.</param>
public sealed record NotificationMessage(
    string Subject,
    string Text,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<NotificationLink> Links,
    string SubjectType,
    string SubjectId,
    string? DedupKey = null);

/// <summary>A link shown with a message.</summary>
public sealed record NotificationLink(string Title, string Url);

/// <summary>The severities a message can have; routes see it as the label <c>severity</c>.</summary>
public static class NotificationSeverity
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Ok = "ok";
    public const string Info = "info";

    public static readonly IReadOnlyList<string> All = [Critical, Warning, Ok, Info];

    public static bool IsValid(string? severity) => severity is not null && All.Contains(severity, StringComparer.Ordinal);
}

/// <summary>How a channel (or a personal destination) is reached.</summary>
public enum ChannelKind
{
    /// <summary>HTTP POST of Slack-compatible JSON (<c>text</c> + <c>attachments</c>; Mattermost, Rocket.Chat, Teams workflows accept it).</summary>
    Slack,

    /// <summary>HTTP POST of the portal's own JSON document (docs/notifications.md).</summary>
    Webhook,

    /// <summary>Email over SMTP.</summary>
    Email,
}

/// <summary>
/// Where an explicitly addressed message goes (on-call pages): a configured channel, or a person's own
/// destination — an email address (sent through the email channel marked for personal mail) or a webhook URL.
/// Build one with <see cref="ToChannel"/>, <see cref="ToEmail"/> or <see cref="ToWebhook"/>.
/// </summary>
public sealed record NotificationTarget
{
    private NotificationTarget(long? channelId, ChannelKind? kind, string? destination)
    {
        ChannelId = channelId;
        Kind = kind;
        Destination = destination;
    }

    /// <summary>Set for a configured channel.</summary>
    public long? ChannelId { get; }

    /// <summary>Set for a personal destination: <see cref="ChannelKind.Email"/>, <see cref="ChannelKind.Slack"/> or <see cref="ChannelKind.Webhook"/>.</summary>
    public ChannelKind? Kind { get; }

    /// <summary>The email address or webhook URL of a personal destination (a webhook URL is a secret: it is stored encrypted).</summary>
    public string? Destination { get; }

    public static NotificationTarget ToChannel(long channelId) => new(channelId, null, null);

    public static NotificationTarget ToEmail(string address) => new(null, ChannelKind.Email, address);

    /// <param name="url">The person's webhook URL.</param>
    /// <param name="slack">Slack-compatible body (true) or the generic JSON body (false).</param>
    public static NotificationTarget ToWebhook(string url, bool slack = false) =>
        new(null, slack ? ChannelKind.Slack : ChannelKind.Webhook, url);

    // Never print the destination: a webhook URL is a secret.
    public override string ToString() => ChannelId is { } id ? $"channel {id}" : $"personal {Kind}";
}
