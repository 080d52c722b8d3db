using System.Net;
using System.Net.Http.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Stolen cookies and leaked tokens: sign-out ends the session on the server, an admin's password
/// reset or disable ends every session and token of that user, and admins can see and revoke anyone's tokens.
/// </summary>
public sealed class SessionRevocationTests : SecurityTestBase
{
    private sealed record Token(long Id, string Name, string Prefix, DateTimeOffset? RevokedAt);
    private sealed record UserItem(string Id, string Email, string Role, bool Disabled);

    [Fact]
    public async Task SignOut_ACopiedCookie_StopsWorkingAtOnce()
    {
        using var browser = new CookieSession(Factory);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(AdminEmail, AdminPassword)).StatusCode);
        using var thief = browser.Copy();
        Assert.Equal(HttpStatusCode.OK, (await thief.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignOutAsync()).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await thief.SendAsync(HttpMethod.Get, "/tickets")).StatusCode);
    }

    [Fact]
    public async Task SignOut_OtherBrowsersOfTheSameUser_StaySignedIn()
    {
        using var laptop = new CookieSession(Factory);
        using var phone = new CookieSession(Factory);
        await laptop.SignInAsync(AdminEmail, AdminPassword);
        await phone.SignInAsync(AdminEmail, AdminPassword);

        await laptop.SignOutAsync();

        Assert.Equal(HttpStatusCode.OK, (await phone.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    [Fact]
    public async Task PasswordReset_RevokesTheUsersTokensAndSessions()
    {
        await CreateUserAsync(EngineerEmail, Password, Roles.Engineer);
        var token = await GetTokenAsync(EngineerEmail, Password);
        using var api = ClientWithToken(token);
        using var browser = new CookieSession(Factory);
        await browser.SignInAsync(EngineerEmail, Password);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/me")).StatusCode);

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdminService>();
            var id = (await admin.ListAsync()).Single(u => u.Email == EngineerEmail).Id;
            Assert.True((await admin.ResetPasswordAsync(As.Admin("admin"), id)).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    [Fact]
    public async Task Disable_RevokesTokens_SoReenablingBringsNoneBack()
    {
        await CreateUserAsync(EngineerEmail, Password, Roles.Engineer);
        using var api = ClientWithToken(await GetTokenAsync(EngineerEmail, Password));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdminService>();
            var id = (await admin.ListAsync()).Single(u => u.Email == EngineerEmail).Id;
            Assert.True((await admin.SetDisabledAsync(As.Admin("admin"), id, disabled: true)).Succeeded);
            Assert.True((await admin.SetDisabledAsync(As.Admin("admin"), id, disabled: false)).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task AdminApi_ListsAndRevokesAnyUsersTokens_OthersGet403()
    {
        await CreateRoleUsersAsync();
        var engineerToken = await GetTokenAsync(EngineerEmail, Password);
        using var engineer = ClientWithToken(engineerToken);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var users = await admin.GetFromJsonAsync<List<UserItem>>("/api/users");
        var engineerId = users!.Single(u => u.Email == EngineerEmail).Id;

        var tokens = await admin.GetFromJsonAsync<List<Token>>($"/api/users/{engineerId}/tokens");
        var listed = Assert.Single(tokens!);
        Assert.Equal(engineerToken[..12], listed.Prefix);
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.GetAsync($"/api/users/{engineerId}/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.DeleteAsync($"/api/users/{engineerId}/tokens/{listed.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{engineerId}/tokens/{listed.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await engineer.GetAsync("/api/me")).StatusCode);
        Assert.NotNull(Assert.Single((await admin.GetFromJsonAsync<List<Token>>($"/api/users/{engineerId}/tokens"))!).RevokedAt);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/users/{engineerId}/tokens/{listed.Id}")).StatusCode);
    }

    [Fact]
    public async Task RevokedOnOneNode_TheOtherNodeRefusesTheTokenWithinSeconds()
    {
        await using var second = new OpsPortalFactory(Database);
        await second.StartAsync();
        var token = await GetTokenAsync(AdminEmail, AdminPassword);
        using var onSecond = second.CreateClient();
        onSecond.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/me")).StatusCode); // now cached on the second node
        using var onFirst = ClientWithToken(token);
        var id = (await onFirst.GetFromJsonAsync<List<Token>>("/api/auth/tokens"))!.Single().Id;

        Assert.Equal(HttpStatusCode.NoContent, (await onFirst.DeleteAsync($"/api/auth/tokens/{id}")).StatusCode);

        // The cache lives 30 s; the revocation event must empty it long before that.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        while ((status = (await onSecond.GetAsync("/api/me")).StatusCode) == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
