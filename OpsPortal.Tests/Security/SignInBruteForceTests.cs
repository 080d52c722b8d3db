using System.Net;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Guessing passwords: failures are counted atomically per account, so a concurrent burst gets no
/// more evaluations than the lockout allows, and a right password arriving after the limit gets no
/// token. The throttle is set out of the way here (<see cref="SignInThrottleTests"/> covers it).
/// </summary>
public sealed class SignInBruteForceTests : SecurityTestBase
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Auth:SignInsPerAddressPerMinute"] = "10000",
        ["OpsPortal:Auth:SignInsPerAccountPerMinute"] = "10000",
    };

    private Task<int> EvaluatedAsync() => Task.WhenAll(CountEventsAsync(AuthEventKinds.UserSignInFailed),
        CountEventsAsync(AuthEventKinds.UserLockedOut), CountEventsAsync(AuthEventKinds.UserSignedIn)).ContinueWith(t => t.Result.Sum());

    [Fact]
    public async Task CreateToken_ThirtyConcurrentWrongPasswords_OnlyTheLimitIsEvaluated()
    {
        using var client = Factory.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => PostTokenAsync(client, AdminEmail, $"wrong-{i}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(4, await CountEventsAsync(AuthEventKinds.UserSignInFailed));
        Assert.Equal(1, await CountEventsAsync(AuthEventKinds.UserLockedOut));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTokenAsync(client, AdminEmail, AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task CreateToken_RightPasswordInABurstAfterTheLimit_IssuesNoToken()
    {
        using var client = Factory.CreateClient();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => PostTokenAsync(client, AdminEmail, $"wrong-{i}")));

        var burst = Enumerable.Range(0, 24).Select(i => PostTokenAsync(client, AdminEmail, $"again-{i}"))
            .Append(PostTokenAsync(client, AdminEmail, AdminPassword));
        var responses = await Task.WhenAll(burst);

        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(5, await EvaluatedAsync());
    }

    [Fact]
    public async Task CreateToken_BurstOf29WrongAnd1Right_NeverMoreEvaluationsThanTheLimit()
    {
        using var client = Factory.CreateClient();
        var attempts = Enumerable.Range(0, 29).Select(i => $"wrong-{i}").Append(AdminPassword).ToList();

        var responses = await Task.WhenAll(attempts.Select(p => PostTokenAsync(client, AdminEmail, p)));

        // Attempts are counted atomically before the password is checked: without a success, exactly the limit's
        // worth of wrong passwords is evaluated. A success (the right one was among the first five) starts the
        // count afresh, so at most 4 before it and 5 after it. Events are appended after the hash check, so their
        // order is not the order of evaluation: count them, don't order them.
        var issued = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        await using var db = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        var kinds = await db.Events.Where(e => e.Kind.StartsWith("user.")).Select(e => e.Kind).ToListAsync();
        var wrongEvaluated = kinds.Count(k => k is AuthEventKinds.UserSignInFailed or AuthEventKinds.UserLockedOut);
        Assert.Equal(issued, kinds.Count(k => k == AuthEventKinds.UserSignedIn));
        if (issued == 0)
        {
            Assert.Equal(5, wrongEvaluated);
        }
        else
        {
            Assert.True(wrongEvaluated <= 9, $"{wrongEvaluated} wrong passwords were evaluated (at most 4 before the right one and 5 after)");
        }
    }

    [Fact]
    public async Task CreateToken_HundredConcurrentAttempts_NeverAServerError()
    {
        await CreateUserAsync("ann@test.local", "Ann-password-1", Roles.Engineer);
        using var client = Factory.CreateClient();
        string[] emails = [AdminEmail, "ann@test.local", "nobody@test.local", "NOBODY@test.local", " ann@test.local "];

        var responses = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => PostTokenAsync(client, emails[i % emails.Length], i % 7 == 0 ? "Ann-password-1" : $"guess-{i}")));

        var unexpected = responses.Where(r => r.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Unauthorized)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", await Task.WhenAll(unexpected.Select(async r => $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}"))));
    }
}
