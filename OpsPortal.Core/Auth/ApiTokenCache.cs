using System.Collections.Concurrent;
using System.Security.Claims;

namespace OpsPortal.Core.Auth;

/// <summary>
/// Principals of recently validated API tokens, for <see cref="Lifetime"/>. Validating a token and
/// building its principal took two to three database round trips per API call, more than a small log
/// search itself (bench/RESULTS.md). Revoking a token, or disabling a user or changing a role on this
/// process, empties the cache at once; on another node it takes effect within <see cref="Lifetime"/>,
/// as role changes reach signed-in browsers within a minute.
/// </summary>
public sealed class ApiTokenCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    /// <summary>A copy of the cached principal (callers may add claims), or null.</summary>
    public ClaimsPrincipal? Find(string secret)
    {
        if (_entries.TryGetValue(Key(secret), out var entry) && entry.Expires > clock.GetUtcNow())
        {
            return entry.Principal.Clone();
        }
        return null;
    }

    public void Add(string secret, ClaimsPrincipal principal)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[Key(secret)] = (principal.Clone(), clock.GetUtcNow() + Lifetime);
    }

    public void Clear() => _entries.Clear();

    // The secret itself never sits in memory longer than the request.
    private static string Key(string secret) => Convert.ToBase64String(ApiTokenService.Hash(secret));
}
