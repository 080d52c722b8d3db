using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Services;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Services;

public sealed record ServiceEnvironmentDto(string Name, string LogSelector, bool HasOwnSelector, bool AutoRollback, string Role, bool TicketRequired);
public record ServiceDto(
    string Name, string? Description, IReadOnlyList<string> Owners, int? Tier, IReadOnlyList<ServiceLink> Links,
    string LogSelector, bool LogSelectorIsDefault, IReadOnlyList<ServiceEnvironmentDto> Environments,
    IReadOnlyList<string> DependsOn, IReadOnlyList<string> DependedOnBy, string Source, string DefinedIn, int Revision, string? EscalationPolicy)
{
    public static ServiceDto From(CatalogService s) => new(s.Name, s.Description, s.Owners, s.Tier, s.Links, s.LogSelector, s.LogSelectorIsDefault,
        s.Environments.Select(e => new ServiceEnvironmentDto(e.Name, e.LogSelector, e.HasOwnSelector, e.AutoRollback, e.Role, e.TicketRequired)).ToList(),
        s.DependsOn, s.DependedOnBy, s.Origin.Source == ServiceSource.File ? "file" : "portal", s.Origin.ToString(), s.Origin.Revision,
        s.EscalationPolicy);
}
public sealed record ServiceHealthDto(string Selector, DateTimeOffset From, DateTimeOffset To, long Requests, double RatePerMinute,
    double? ErrorRatio, double? P95, double? P99);
public sealed record ServiceVersionDto(string Environment, string? Version, long? LastDeployId, string? LastStatus, string? LastVerdict,
    DateTimeOffset? LastAt, string? LockedBy, string? LockReason);
public sealed record ServiceDeployDto(long Id, string Environment, string Action, string Version, string Status, string? Verdict, string RequestedBy, DateTimeOffset RequestedAt);
public sealed record ServiceAlertDto(long RuleId, string Rule, string State, string? GroupKey, DateTimeOffset Since, bool Acknowledged, bool Silenced);
public sealed record ServiceMetricsDto(DateTimeOffset From, int Incidents, double? MttrMean, double? MttrMedian, double? MtbfMean, double? MtbfMedian);

/// <summary>One service with how it is doing: health now (from its log selector), versions per environment, recent deploys, open incidents, MTTR/MTBF.</summary>
public sealed record ServiceDetailDto([property: JsonIgnore] ServiceDto Service, ServiceHealthDto? Health, string? HealthError, IReadOnlyList<ServiceVersionDto> Versions,
    IReadOnlyList<ServiceDeployDto> RecentDeploys, IReadOnlyList<ServiceAlertDto> Alerts, IReadOnlyList<long> OpenIncidents, int OpenTickets, ServiceMetricsDto Metrics, IReadOnlyList<string> Runbooks)
    : ServiceDto(Service)
{
    public static ServiceDetailDto From(ServiceOverview o) => new(ServiceDto.From(o.Service),
        o.Health is { } h ? new ServiceHealthDto(h.Selector, h.From, h.To, h.Requests, h.RatePerMinute, h.ErrorRatio, h.P95, h.P99) : null,
        o.HealthError,
        [.. o.Versions.Select(v => new ServiceVersionDto(v.Environment, v.Version, v.Last?.Id, v.Last?.Status, v.LastVerdict,
            v.Last?.FinishedAt ?? v.Last?.RequestedAt, v.Lock?.LockedBy, v.Lock?.Reason))],
        [.. o.RecentDeploys.Select(d => new ServiceDeployDto(d.Deploy.Id, d.Deploy.Environment, d.Deploy.Action, d.Deploy.Version, d.Deploy.Status,
            d.Verdict, d.Deploy.RequestedBy, d.Deploy.RequestedAt))],
        [.. o.Alerts.Select(a => new ServiceAlertDto(a.Rule.Id, a.Rule.Name, OpsPortal.Core.Alerts.AlertStates.Name(a.Instance.HardState),
            a.Instance.GroupKey.Length == 0 ? null : a.Instance.GroupKey, a.Instance.FirstFiringAt ?? a.Instance.Since, a.Instance.AcknowledgedAt is not null, a.Silenced))],
        [.. o.OpenIncidents.Select(i => i.Id)], o.OpenTickets.Total,
        new ServiceMetricsDto(o.MetricsFrom, o.Metrics.Count, o.Metrics.Mttr.Mean, o.Metrics.Mttr.Median, o.Metrics.Mtbf.Mean, o.Metrics.Mtbf.Median),
        [.. o.Runbooks.Select(r => r.Slug)]);
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
        group.MapGet("/{name}", GetAsync).WithSummary("One service: owners, links, log selector, deploy targets, dependencies both ways, health now (requests, 5xx ratio, p95 of the last 15 minutes from its log selector), versions per environment, recent deploys with verdicts, alerts not OK (firing first), open incidents and tickets, MTTR/MTBF of the last 90 days, runbooks.");
        group.MapPut("/{name}", PutAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Define or change a portal-defined service (201 when created); 409 for a service declared in services.yaml or a stale baseRevision.");
        group.MapDelete("/{name}", DeleteAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Remove a portal-defined service from the catalog.");
        return app;
    }

    private static async Task<Ok<ServiceListDto>> ListAsync(ServiceCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok(new ServiceListDto((await catalog.ListAsync(ct)).Select(ServiceDto.From).ToList(),
            catalog.FileProblems.Select(p => p.ToString()).ToList()));

    private static async Task<Results<Ok<ServiceDetailDto>, ProblemHttpResult>> GetAsync(ClaimsPrincipal user, ServiceOverviews overviews, string name, CancellationToken ct) =>
        await overviews.GetAsync(name, user.ToActor().Name, ct) is { } overview
            ? TypedResults.Ok(ServiceDetailDto.From(overview))
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
