namespace OpsPortal.Core.Auth;

/// <summary>
/// One signed-in browser. The sign-in cookie names its session, and every request checks that the
/// session is still live: signing out, a password reset and disabling the user revoke it on the
/// server, so a copied cookie stops working at once instead of living out its sliding 7 days.
/// </summary>
public class UserSession
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Updated at most every few minutes, not on every request.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The client address at sign-in (after trusted proxies), for the user's own review.</summary>
    public string? Address { get; set; }
    public string? UserAgent { get; set; }
}
