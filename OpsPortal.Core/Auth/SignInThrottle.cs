using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Auth;

/// <summary>
/// Per-address and per-account token buckets in front of the password check, so a flood is answered
/// with 429 before any password is hashed. They live in this process: each node bounds its own CPU
/// (hashing is what a flood costs), and a shared limiter would put a database round trip in front
/// of every attempt — the guessing limit that must hold across nodes is the account lockout, which
/// is counted in the database (<see cref="SignInService"/>).
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _byAddress;
    private readonly PartitionedRateLimiter<string> _byAccount;

    public SignInThrottle(IOptions<AuthOptions> options)
    {
        _byAddress = Create(options.Value.SignInsPerAddressPerMinute);
        _byAccount = Create(options.Value.SignInsPerAccountPerMinute);
    }

    /// <summary>Takes one attempt from the address's bucket, then the account's; null when allowed, else how long to wait.</summary>
    internal TimeSpan? TryAcquire(string? address, string normalizedEmail)
    {
        // A permit is an attempt spent, so leases are not returned. The account's bucket is only
        // touched once the address is allowed: one noisy address cannot drain an account's bucket
        // faster than its own limit lets it try.
        using var byAddress = _byAddress.AttemptAcquire(address ?? "unknown");
        if (!byAddress.IsAcquired)
        {
            return RetryAfter(byAddress);
        }
        using var byAccount = _byAccount.AttemptAcquire(normalizedEmail);
        return byAccount.IsAcquired ? null : RetryAfter(byAccount);
    }

    public void Dispose()
    {
        _byAddress.Dispose();
        _byAccount.Dispose();
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);

    private static PartitionedRateLimiter<string> Create(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);
}
