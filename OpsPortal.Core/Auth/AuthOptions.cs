namespace OpsPortal.Core.Auth;

/// <summary>The <c>OpsPortal:Auth</c> section: how sign-in resists guessing (docs/security.md).</summary>
public sealed class AuthOptions
{
    public const string Section = "OpsPortal:Auth";

    /// <summary>Wrong passwords in a row that lock an account for <see cref="LockoutDuration"/>.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts one client address may make per minute on this node (a burst of this many, then one every 60/N seconds).</summary>
    public int SignInsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Sign-in attempts for one email per minute on this node, whether the account exists or not.</summary>
    public int SignInsPerAccountPerMinute { get; set; } = 10;
}
