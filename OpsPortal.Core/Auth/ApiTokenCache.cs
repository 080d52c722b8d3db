using System.Collections.Concurrent;
using System.Security.Claims;

namespace OpsPortal.Core.Auth;

/// <summary>
/// Principals of recently validated API tokens, for <see cref="Lifetime"/>. Validating a token and
/// building its principal took two to three database round trips per API call, more than a small log
/// search itself (bench/RESULTS.md). Revoking a token, disabling a user, resetting a password or
/// changing a role empties the cache of every node as soon as the event arrives over the spine
/// (<see cref="ClearOn"/>); <see cref="Lifetime"/> bounds it should the spine be down.
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

    internal void Clear() => _entries.Clear();

    /// <summary>Empties the cache on every event that can take a token's right away, from any node.</summary>
    internal IDisposable ClearOn(Events.EventNotifier notifier) => notifier.Subscribe(ev =>
    {
        if (ev.Kind is AuthEventKinds.TokenRevoked or AuthEventKinds.UserDisabled or AuthEventKinds.UserPasswordReset
            or AuthEventKinds.UserRoleChanged)
        {
            Clear();
        }
        return Task.CompletedTask;
    });

    // The secret itself never sits in memory longer than the request.
    private static string Key(string secret) => Convert.ToBase64String(ApiTokenService.Hash(secret));
}
