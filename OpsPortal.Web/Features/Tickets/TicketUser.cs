using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Tickets;

/// <summary>
/// Who is acting in this circuit, and whether they may write. Every write handler on the ticket
/// pages asks <see cref="RequireEditorAsync"/> first: hiding a button is not enforcement.
/// </summary>
public sealed class TicketUser(AuthenticationStateProvider auth, IAuthorizationService authorization)
{
    public async Task<string> EmailAsync() => (await auth.GetAuthenticationStateAsync()).User.Identity?.Name ?? "";

    public async Task<bool> CanEditAsync()
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        return (await authorization.AuthorizeAsync(user, AuthSetup.EngineerPolicy)).Succeeded;
    }

    /// <summary>The actor's email; throws <see cref="UnauthorizedAccessException"/> for a Viewer.</summary>
    public async Task<string> RequireEditorAsync() =>
        await CanEditAsync() ? await EmailAsync() : throw new UnauthorizedAccessException("Viewers cannot change tickets.");
}
