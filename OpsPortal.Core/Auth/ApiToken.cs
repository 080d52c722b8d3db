namespace OpsPortal.Core.Auth;

/// <summary>
/// A personal API token. Only a SHA-256 hash of the secret is stored: the secret is 256 random
/// bits, so a slow password hash would add nothing but latency to every API call.
/// </summary>
public class ApiToken
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public AppUser? User { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the token, shown in lists so people can tell tokens apart.</summary>
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
