using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using OpsPortal.Core.Auth;
using OpsPortal.Web.Features.Incidents;

namespace OpsPortal.Tests.Incidents;

/// <summary>The pages' write path checks the role on the server, whatever buttons a page showed.</summary>
public sealed class IncidentCommandsTests
{
    private sealed class FixedAuth(params string[] roles) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(
            new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, "someone@x"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"))));
    }

    [Fact]
    public async Task Viewer_IsRefused_AndTheChangeNeverRuns()
    {
        var services = new ServiceCollection().BuildServiceProvider();
        var commands = new IncidentCommands(services.GetRequiredService<IServiceScopeFactory>(), new FixedAuth(Roles.Viewer));
        var ran = false;

        var error = await commands.RunAsync((_, _) => { ran = true; return Task.CompletedTask; });

        Assert.Equal("Changing an incident needs the Engineer role.", error);
        Assert.False(ran);
        Assert.False(await commands.CanEditAsync());
    }
}
