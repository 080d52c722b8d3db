using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using OpsPortal.Core;
using OpsPortal.Core.Auth;

namespace OpsPortal.Web.Features.Auth;

/// <summary>The one derivation of the acting <see cref="Actor"/> from a signed-in principal (pages and endpoints alike).</summary>
public static class Actors
{
    public static Actor From(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? new Actor(name, Roles.Top(Roles.All.Where(user.IsInRole)))
            : throw new InvalidOperationException("No signed-in user: the endpoint or page must require authorization.");

    /// <summary>For endpoints: <c>(ClaimsPrincipal user, …) => service.DoAsync(…, user.ToActor(), ct)</c>.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) => From(user);
}

/// <summary>
/// Who acts in this circuit, what they may do, and the one way a page runs an operation: the
/// policy is checked on the server (a hidden button is not a permission), the operation gets the
/// <see cref="Actor"/>, and a refusal comes back as a value the page shows with <c>RefusalAlert</c>
/// or <see cref="RefusalMessages"/>. Scoped per circuit; feature services are singletons
/// (docs/decisions/ADR-001), so pages inject them directly. <see cref="RunScopedAsync{TService,T}"/>
/// is only for ASP.NET Identity's scoped managers.
/// </summary>
public sealed class ActingUser(AuthenticationStateProvider auth, IAuthorizationService authorization, IServiceScopeFactory scopes)
{
    public async Task<ClaimsPrincipal> PrincipalAsync() => (await auth.GetAuthenticationStateAsync()).User;

    public async Task<Actor> GetAsync() => Actors.From(await PrincipalAsync());

    /// <summary>Whether the user passes a policy (<see cref="AuthSetup.EngineerPolicy"/>, <see cref="AuthSetup.AdminPolicy"/> …).</summary>
    public async Task<bool> CanAsync(string policy) =>
        (await authorization.AuthorizeAsync(await PrincipalAsync(), policy)).Succeeded;

    /// <summary>Runs <paramref name="operation"/> as the signed-in user when they pass <paramref name="policy"/>; otherwise a Forbidden refusal.</summary>
    public async Task<Result<T>> RunAsync<T>(string policy, Func<Actor, Task<Result<T>>> operation)
    {
        var principal = await PrincipalAsync();
        if (!(await authorization.AuthorizeAsync(principal, policy)).Succeeded)
        {
            return Forbidden(policy);
        }
        return await operation(Actors.From(principal));
    }

    public async Task<Result> RunAsync(string policy, Func<Actor, Task<Result>> operation)
    {
        var principal = await PrincipalAsync();
        if (!(await authorization.AuthorizeAsync(principal, policy)).Succeeded)
        {
            return Forbidden(policy);
        }
        return await operation(Actors.From(principal));
    }

    /// <summary>As <see cref="RunAsync{T}"/>, with a scoped service from a fresh scope for this one operation.</summary>
    public async Task<Result<T>> RunScopedAsync<TService, T>(string policy, Func<TService, Actor, Task<Result<T>>> operation)
        where TService : notnull
    {
        return await RunAsync(policy, async actor =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await operation(scope.ServiceProvider.GetRequiredService<TService>(), actor);
        });
    }

    /// <summary>As <see cref="RunScopedAsync{TService,T}"/>, for an operation without a value.</summary>
    public async Task<Result> RunScopedAsync<TService>(string policy, Func<TService, Actor, Task<Result>> operation)
        where TService : notnull
    {
        return await RunAsync(policy, async actor =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await operation(scope.ServiceProvider.GetRequiredService<TService>(), actor);
        });
    }

    private static Refusal Forbidden(string policy) =>
        Refusal.Forbidden($"This needs the {policy} role.", "Not allowed");
}
