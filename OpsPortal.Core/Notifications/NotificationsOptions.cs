namespace OpsPortal.Core.Notifications;

/// <summary>The <c>OpsPortal:Notifications</c> section (README lists every key).</summary>
public sealed class NotificationsOptions
{
    public const string Section = "OpsPortal:Notifications";

    /// <summary>Run the delivery worker in this process (every node does by default; claims keep each delivery on one node).</summary>
    public bool RunDelivery { get; set; } = true;

    /// <summary>Attempts before a delivery is given up (recorded as failed).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait before the second attempt; it doubles after each failure (with ±20 % jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the worker looks for due deliveries when nothing wakes it (a new message wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a node's claim on a delivery holds; a node that dies mid-send loses its claim after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries sent at once by one node.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>The portal's address for links in messages (<c>OpsPortal:PublicUrl</c>, else <c>OpsPortal:Deploys:PublicUrl</c>).</summary>
    public string? PublicUrl { get; set; }
}
