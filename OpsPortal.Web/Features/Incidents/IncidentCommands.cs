using Microsoft.AspNetCore.Components.Authorization;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Web.Features.Incidents;

/// <summary>
/// What the incident pages use to change an incident: checks the Engineer role on the server (a hidden
/// button is not a permission), runs the change in a fresh scope (a circuit lives for hours; its
/// DbContext must not), and turns a refused change into a message for the person.
/// </summary>
public sealed class IncidentCommands(IServiceScopeFactory scopes, AuthenticationStateProvider auth)
{
    /// <summary>Runs the change; returns null on success or the reason it was refused.</summary>
    public async Task<string?> RunAsync(Func<IncidentService, string, Task> change)
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        if (!user.IsInRole(Roles.Engineer) || user.Identity?.Name is not { } actor)
        {
            return "Changing an incident needs the Engineer role.";
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await change(scope.ServiceProvider.GetRequiredService<IncidentService>(), actor);
            return null;
        }
        catch (IncidentException ex)
        {
            return ex.Message;
        }
        catch (KeyNotFoundException ex)
        {
            return ex.Message;
        }
    }

    public async Task<bool> CanEditAsync() => (await auth.GetAuthenticationStateAsync()).User.IsInRole(Roles.Engineer);
}
