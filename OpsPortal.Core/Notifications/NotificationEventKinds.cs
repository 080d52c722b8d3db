namespace OpsPortal.Core.Notifications;

public static class NotificationEventKinds
{
    public const string ChannelSubjectType = "notification-channel";
    public const string RoutesSubjectType = "notification-routes";

    public const string ChannelCreated = "notification.channel_created";
    public const string ChannelUpdated = "notification.channel_updated";
    public const string ChannelDeleted = "notification.channel_deleted";
    public const string RoutesUpdated = "notification.routes_updated";

    /// <summary>A message was queued (one event per message, on the message's subject; payload: the delivery ids).</summary>
    public const string Queued = "notification.queued";

    /// <summary>A delivery reached its receiver (on the message's subject).</summary>
    public const string Delivered = "notification.delivered";

    /// <summary>A delivery was given up after its last attempt, or could not be attempted (on the message's subject).</summary>
    public const string Failed = "notification.failed";
}
