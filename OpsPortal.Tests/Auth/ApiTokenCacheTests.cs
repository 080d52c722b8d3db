using System.Security.Claims;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class ApiTokenCacheTests
{
    [Fact]
    public void Find_ReturnsACopyUntilTheLifetimeEnds_ThenNothing()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        var cache = new ApiTokenCache(clock);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ann")], "ApiToken"));
        cache.Add("ops_secret", principal);

        var found = cache.Find("ops_secret");
        Assert.NotNull(found);
        Assert.NotSame(principal, found);
        Assert.Equal("ann", found.Identity!.Name);
        Assert.Null(cache.Find("ops_other"));

        clock.Now += ApiTokenCache.Lifetime;
        Assert.Null(cache.Find("ops_secret"));
    }

    [Fact]
    public void Clear_ForgetsEveryToken()
    {
        var cache = new ApiTokenCache(TimeProvider.System);
        cache.Add("ops_a", new ClaimsPrincipal(new ClaimsIdentity("ApiToken")));

        cache.Clear();

        Assert.Null(cache.Find("ops_a"));
    }
}
