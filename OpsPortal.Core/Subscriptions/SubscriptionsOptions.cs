namespace OpsPortal.Core.Subscriptions;

/// <summary>
/// The subscription keys, read from the <c>OpsPortal:OnCall</c> section where they have always been (README lists
/// them): the section name stays so that no deployment's configuration changes, the class is Subscriptions' own so
/// that Subscriptions does not depend on OnCall.
/// </summary>
internal sealed class SubscriptionsOptions
{
    public const string Section = "OpsPortal:OnCall";

    /// <summary>Fan events out to subscribers and send their digests from this process.</summary>
    public bool RunSubscriptions { get; set; } = true;

    /// <summary>How long the loop sleeps between rounds (the same key as the escalator's poll interval).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a digest collects after its first item before it is sent (edits in a burst become one message).</summary>
    public TimeSpan DigestDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A gap in the event ids older than this is taken as a rolled-back transaction and skipped.</summary>
    public TimeSpan EventGapTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
