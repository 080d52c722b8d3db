using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Services;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Services;

public sealed record ServiceEnvironmentDto(string Name, string LogSelector, bool HasOwnSelector, bool AutoRollback, string Role, bool TicketRequired);
public sealed record ServiceDto(
    string Name, string? Description, IReadOnlyList<string> Owners, int? Tier, IReadOnlyList<ServiceLink> Links,
    string LogSelector, bool LogSelectorIsDefault, IReadOnlyList<ServiceEnvironmentDto> Environments,
    IReadOnlyList<string> DependsOn, IReadOnlyList<string> DependedOnBy, string Source, string DefinedIn, int Revision, string? EscalationPolicy)
{
    public static ServiceDto From(CatalogService s) => new(s.Name, s.Description, s.Owners, s.Tier, s.Links, s.LogSelector, s.LogSelectorIsDefault,
        s.Environments.Select(e => new ServiceEnvironmentDto(e.Name, e.LogSelector, e.HasOwnSelector, e.AutoRollback, e.Role, e.TicketRequired)).ToList(),
        s.DependsOn, s.DependedOnBy, s.Origin.Source == ServiceSource.File ? "file" : "portal", s.Origin.ToString(), s.Origin.Revision,
        s.EscalationPolicy);
}
public sealed record ServiceListDto(IReadOnlyList<ServiceDto> Services, IReadOnlyList<string> FileProblems);
public sealed record ServiceRequest(string? Description, IReadOnlyList<string>? Owners, int? Tier, IReadOnlyList<ServiceLink>? Links,
    string? LogSelector, IReadOnlyList<string>? DependsOn, int? BaseRevision, string? EscalationPolicy = null);

/// <summary>The service catalog API: everyone signed in reads; Engineers define services in the portal.</summary>
public static class ServicesEndpoints
{
    public static IEndpointRouteBuilder MapServices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/services").RequireAuthorization().WithTags("Services");
        group.MapGet("", ListAsync).WithSummary("Every service of the catalog (services.yaml and portal-defined), by name.");
        group.MapGet("/{name}", GetAsync).WithSummary("One service: owners, links, log selector, deploy targets, dependencies both ways.");
        group.MapPut("/{name}", PutAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Define or change a portal-defined service (201 when created); 409 for a service declared in services.yaml or a stale baseRevision.");
        group.MapDelete("/{name}", DeleteAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Remove a portal-defined service from the catalog.");
        return app;
    }

    private static async Task<Ok<ServiceListDto>> ListAsync(ServiceCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok(new ServiceListDto((await catalog.ListAsync(ct)).Select(ServiceDto.From).ToList(),
            catalog.FileProblems.Select(p => p.ToString()).ToList()));

    private static async Task<Results<Ok<ServiceDto>, ProblemHttpResult>> GetAsync(ServiceCatalog catalog, string name, CancellationToken ct) =>
        await catalog.FindAsync(name, ct) is { } service
            ? TypedResults.Ok(ServiceDto.From(service))
            : Refusal.NotFound($"The catalog has no service '{name}'.").ToProblem();

    private static async Task<Results<Created<ServiceDto>, Ok<ServiceDto>, ProblemHttpResult>> PutAsync(
        ClaimsPrincipal user, ServiceCatalog catalog, string name, ServiceRequest body, CancellationToken ct)
    {
        var input = new ServiceInput(body.Description, body.Owners, body.Tier, body.Links, body.LogSelector, body.DependsOn, body.BaseRevision, body.EscalationPolicy);
        var result = await catalog.SaveAsync(user.ToActor(), name, input, ct);
        if (!result.TryGet(out var saved, out var refusal))
        {
            return refusal.ToProblem();
        }
        var dto = ServiceDto.From(saved.Service);
        return saved.Created ? TypedResults.Created($"/api/services/{name}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(ClaimsPrincipal user, ServiceCatalog catalog, string name, CancellationToken ct) =>
        (await catalog.DeleteAsync(user.ToActor(), name, ct)).ToHttp(TypedResults.NoContent);
}
