using OpsPortal.Core.Notifications;

namespace OpsPortal.Web.Features.Notifications;

/// <summary>How a channel is described on pages: where it sends, never a secret.</summary>
public static class ChannelText
{
    public static string Destination(ChannelView c) => c.Kind switch
    {
        "email" => $"{(c.EmailTo.Count == 0 ? "personal addresses" : string.Join(", ", c.EmailTo))} via {c.SmtpHost}:{c.SmtpPort}",
        _ => c.SecretSet ? $"POST to {c.WebhookHost}" : "no URL",
    };

    public static string KindLabel(string kind) => kind switch
    {
        "slack" => "Slack webhook",
        "webhook" => "JSON webhook",
        "email" => "Email",
        _ => kind,
    };
}
