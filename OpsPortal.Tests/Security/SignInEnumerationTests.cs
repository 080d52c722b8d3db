using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Telling accounts apart: unknown, wrong, locked and disabled get the same answer, after the same
/// work (one password hash each), and the audit trail is written in one place for form and API.
/// </summary>
public sealed class SignInEnumerationTests : SecurityTestBase
{
    private const string LockedEmail = "locked@test.local";
    private const string DisabledEmail = "disabled@test.local";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Auth:SignInsPerAddressPerMinute"] = "10000",
        ["OpsPortal:Auth:SignInsPerAccountPerMinute"] = "10000",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync(LockedEmail, Password, Roles.Engineer);
        await CreateUserAsync(DisabledEmail, Password, Roles.Engineer);
        await using var db = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        await db.Users.Where(u => u.Email == LockedEmail)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddHours(1)));
        await db.Users.Where(u => u.Email == DisabledEmail).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true));
    }

    [Fact]
    public async Task CreateToken_UnknownWrongLockedDisabled_AllGetTheSameAnswer()
    {
        using var client = Factory.CreateClient();

        var answers = new List<string>();
        foreach (var (email, password) in new[] { ("nobody@test.local", Password), (AdminEmail, "wrong"), (LockedEmail, Password), (DisabledEmail, Password) })
        {
            var response = await PostTokenAsync(client, email, password);
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
            answers.Add($"{(int)response.StatusCode} {problem!.Title} {problem.Detail}");
        }

        Assert.StartsWith("401 ", answers[0], StringComparison.Ordinal);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
    }

    [Fact]
    public async Task LoginForm_UnknownWrongAndLocked_ShowTheSameMessage()
    {
        var messages = new List<string>();
        foreach (var (email, password) in new[] { ("nobody@test.local", Password), (AdminEmail, "wrong"), (LockedEmail, Password) })
        {
            using var browser = new CookieSession(Factory);
            var response = await browser.SignInAsync(email, password);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            var start = html.IndexOf("data-testid=\"login-error\"", StringComparison.Ordinal);
            Assert.True(start > 0, "no error shown");
            messages.Add(html[start..html.IndexOf("</div>", start, StringComparison.Ordinal)]);
        }

        Assert.All(messages, m => Assert.Equal(messages[0], m));
    }

    [Fact]
    public async Task CheckPassword_EveryKindOfFailure_HashesExactlyOnce()
    {
        var hasher = new CountingHasher();
        var services = Factory.Services;
        var signIn = new SignInService(services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), hasher,
            new UpperInvariantLookupNormalizer(), services.GetRequiredService<SignInThrottle>(), services.GetRequiredService<EventLog>(),
            TimeProvider.System, services.GetRequiredService<IOptions<AuthOptions>>(), NullLogger<SignInService>.Instance);
        _ = await signIn.CheckPasswordAsync("warm@test.local", "x", null, SignInChannel.Api); // creates the dummy hash

        foreach (var (email, password) in new[] { ("nobody@test.local", Password), (AdminEmail, "wrong"), (LockedEmail, Password), (DisabledEmail, Password), (AdminEmail, AdminPassword) })
        {
            hasher.Verifications = 0;
            var result = await signIn.CheckPasswordAsync(email, password, "10.0.0.1", SignInChannel.Api);
            Assert.Equal(email == AdminEmail && password == AdminPassword, result.Succeeded);
            Assert.True(result.Succeeded || result.Refusal == SignInService.Failed);
            Assert.Equal(1, hasher.Verifications);
        }
    }

    [Fact]
    public async Task SignIn_FormAndApi_AreAuditedInOnePlace()
    {
        using var browser = new CookieSession(Factory);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(AdminEmail, AdminPassword)).StatusCode);
        using var client = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await PostTokenAsync(client, AdminEmail, AdminPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTokenAsync(client, LockedEmail, "wrong")).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            await PostTokenAsync(client, EngineerEmailFor(i), "wrong");
        }

        await using var db = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        var signedIn = await db.Events.Where(e => e.Kind == AuthEventKinds.UserSignedIn).Select(e => e.Summary).ToListAsync();
        Assert.Equal([$"{AdminEmail} signed in", $"{AdminEmail} signed in (API token)"], signedIn.Order().ToList());
        Assert.Equal(4, await CountEventsAsync(AuthEventKinds.UserSignInFailed));
        Assert.Equal(1, await CountEventsAsync(AuthEventKinds.UserLockedOut));
    }

    // Five wrong passwords for one account, spelled the ways people type it.
    private static string EngineerEmailFor(int i) => i % 2 == 0 ? "admin@test.local" : " ADMIN@test.local";

    private sealed class CountingHasher : IPasswordHasher<AppUser>
    {
        private readonly PasswordHasher<AppUser> _real = new();

        public int Verifications { get; set; }

        public string HashPassword(AppUser user, string password) => _real.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
        {
            Verifications++;
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
