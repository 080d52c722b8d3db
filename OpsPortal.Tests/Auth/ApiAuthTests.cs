using System.Net;
using System.Net.Http.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Auth;

public sealed class ApiAuthTests : ApiTestBase
{
    private sealed record Me(string Email, string[] Roles);
    private sealed record Problem(string? Title, string? Detail, int? Status);

    [Fact]
    public async Task CreateToken_RightPassword_TokenWorksOnMe()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var me = await client.GetFromJsonAsync<Me>("/api/me");

        Assert.Equal(AdminEmail, me!.Email);
        Assert.Equal(["Admin", "Engineer", "Viewer"], me.Roles.Order().ToArray());
    }

    [Theory]
    [InlineData(AdminEmail, "wrong-password")]
    [InlineData("nobody@test.local", AdminPassword)]
    [InlineData("", "")]
    public async Task CreateToken_BadCredentials_Returns401Problem(string email, string password)
    {
        using var client = Factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/tokens", new { email, password, name = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Contains("Wrong email or password", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateToken_FiveWrongPasswords_LocksOutEvenTheRightOne()
    {
        using var client = Factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PostAsJsonAsync("/api/auth/tokens", new { email = AdminEmail, password = "wrong", name = "x" });
        }

        var response = await client.PostAsJsonAsync("/api/auth/tokens", new { email = AdminEmail, password = AdminPassword, name = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Equal("Locked out", problem!.Title);
    }

    [Fact]
    public async Task RevokedToken_IsRefused()
    {
        var token = await GetTokenAsync(AdminEmail, AdminPassword);
        using var client = ClientWithToken(token);
        var id = await FindTokenIdAsync(token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/auth/tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task DisabledUser_TokenAndPasswordRefused()
    {
        await CreateUserAsync("eve@test.local", "Eve-password-1", Roles.Engineer);
        var token = await GetTokenAsync("eve@test.local", "Eve-password-1");
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdminService>();
            var users = await admin.ListAsync();
            var eve = users.Single(u => u.Email == "eve@test.local");
            Assert.True((await admin.SetDisabledAsync(OpsPortal.Tests.Infrastructure.As.Admin("test"), eve.Id, disabled: true)).Succeeded);
        }

        using var client = ClientWithToken(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        using var anonymous = Factory.CreateClient();
        var again = await anonymous.PostAsJsonAsync("/api/auth/tokens", new { email = "eve@test.local", password = "Eve-password-1", name = "x" });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/openapi/v1.json")]
    public async Task Api_WithoutCredentials_Returns401NotRedirect(string path)
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Api_GarbageBearer_Returns401()
    {
        using var client = ClientWithToken("ops_not-a-real-token");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task CreateUser_AsAdmin_NewUserCanSignInWithRole()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.PostAsJsonAsync("/api/users", new { email = "vic@test.local", password = "Vic-password-1", role = "Viewer" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var vic = await ClientForAsync("vic@test.local", "Vic-password-1");
        var me = await vic.GetFromJsonAsync<Me>("/api/me");
        Assert.Equal(["Viewer"], me!.Roles);
    }

    [Theory]
    [InlineData("bad@test.local", "Good-password-1", "Owner", "Unknown role")]
    [InlineData("not-an-email", "Good-password-1", "Viewer", "valid email")]
    [InlineData("short@test.local", "short", "Viewer", "Passwords must be")]
    public async Task CreateUser_InvalidInput_Returns400WithDetail(string email, string password, string role, string expected)
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await admin.PostAsJsonAsync("/api/users", new { email, password, role });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>();
        Assert.Contains(expected, problem!.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Engineer)]
    public async Task CreateUser_BelowAdmin_Returns403(string role)
    {
        await CreateUserAsync("low@test.local", "Low-password-1", role);
        using var client = await ClientForAsync("low@test.local", "Low-password-1");

        var response = await client.PostAsJsonAsync("/api/users", new { email = "x@test.local", password = "Xx-password-1", role = "Admin" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TokenLastUsed_IsRecorded()
    {
        var token = await GetTokenAsync(AdminEmail, AdminPassword);
        using var client = ClientWithToken(token);
        await client.GetAsync("/api/me");

        await using var db = Database.CreateContext();
        var stored = db.ApiTokens.Single(t => t.Hash == ApiTokenService.Hash(token));
        Assert.NotNull(stored.LastUsedAt);
        Assert.NotEqual(token, Convert.ToBase64String(stored.Hash));
    }

    private async Task<long> FindTokenIdAsync(string token)
    {
        await using var db = Database.CreateContext();
        var hash = ApiTokenService.Hash(token);
        return await Task.FromResult(db.ApiTokens.Single(t => t.Hash == hash).Id);
    }
}
