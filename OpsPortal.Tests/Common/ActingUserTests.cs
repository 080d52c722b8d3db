using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Tests.Common;

public class ActingUserTests
{
    [Fact]
    public async Task RunAsync_ViewerOnEngineerPolicy_IsForbidden_AndTheOperationNeverRuns()
    {
        var ran = false;
        var acting = Create("vera@example.com", Roles.Viewer);

        var result = await acting.RunAsync<int>(AuthSetup.EngineerPolicy, _ => { ran = true; return Task.FromResult<Result<int>>(1); });

        Assert.False(ran);
        Assert.Equal(RefusalKind.Forbidden, result.Refusal?.Kind);
    }

    [Fact]
    public async Task RunAsync_Admin_RunsAsAdminWithTheirName_BecauseAdminImpliesEngineer()
    {
        var acting = Create("ann@example.com", Roles.Admin);

        var result = await acting.RunAsync<Actor>(AuthSetup.EngineerPolicy, actor => Task.FromResult<Result<Actor>>(actor));

        Assert.Equal(new Actor("ann@example.com", Roles.Admin), result.Value);
    }

    [Fact]
    public void ActorsFrom_Anonymous_Throws_SoAnUnprotectedEndpointFailsLoudly()
    {
        Assert.Throws<InvalidOperationException>(() => Actors.From(new ClaimsPrincipal(new ClaimsIdentity())));
    }

    private static ActingUser Create(string name, string role)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(Roles.Implied(role).Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthSetup.AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(AuthSetup.EngineerPolicy, p => p.RequireRole(Roles.Engineer));
        var sp = services.BuildServiceProvider();
        return new ActingUser(new FixedAuth(principal), sp.GetRequiredService<IAuthorizationService>(), sp.GetRequiredService<IServiceScopeFactory>());
    }

    private sealed class FixedAuth(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
