using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Dashboards;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Dashboards;

public sealed record DashboardSummaryDto(long Id, string Title, string? Description, bool Team, string? Owner, int Panels, int Revision, string UpdatedBy, DateTimeOffset UpdatedAt);
public sealed record DashboardDto(long Id, string Title, string? Description, bool Team, string? Owner, IReadOnlyList<PanelSpec> Panels, int Revision,
    string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static DashboardDto From(Dashboard d) => new(d.Id, d.Title, d.Description, d.IsTeam, d.Owner, d.Panels, d.Revision, d.CreatedBy, d.CreatedAt, d.UpdatedBy, d.UpdatedAt);
}

/// <param name="Personal">Create only: a personal dashboard (yours alone) instead of a team dashboard (Engineers).</param>
/// <param name="BaseRevision">Update: the revision your change started from (required).</param>
public sealed record DashboardRequest(string? Title, string? Description, IReadOnlyList<PanelSpec>? Panels, bool Personal = false, int? BaseRevision = null);

/// <param name="Name">The copy's title (empty: the source's title with " (copy)").</param>
/// <param name="Shared">A team dashboard (Engineers) instead of a personal one.</param>
public sealed record DashboardCopyRequest(string? Name, bool Shared = false);

public sealed record PanelDataDto(PanelResult Data, IReadOnlyList<PanelMarker> Markers);

/// <summary>
/// The dashboards API (docs/dashboards.md). Everyone signed in reads team dashboards and their own; anyone
/// creates personal ones; team dashboards need an Engineer (checked by <see cref="DashboardStore"/>, since a
/// Viewer may still write a personal one). Updates name their base revision: a stale one is 409.
/// </summary>
public static class DashboardsEndpoints
{
    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dashboards").RequireAuthorization().WithTags("Dashboards");
        group.MapGet("", ListAsync).WithSummary("Team dashboards and your personal ones (team first, by title).");
        group.MapPost("", CreateAsync).WithSummary("Create a dashboard: personal=true for yours alone; team dashboards need the Engineer role.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One dashboard with its panels; someone else's personal dashboard is 404.");
        group.MapPut("/{id:long}", UpdateAsync).WithSummary("Replace title, description and panels; baseRevision is required and a stale one is 409 with currentRevision.");
        group.MapDelete("/{id:long}", DeleteAsync).WithSummary("Delete a dashboard (baseRevision optional: when given, a dashboard changed since is 409).");
        group.MapPost("/{id:long}/copy", CopyAsync).WithSummary("Copy a dashboard you can read into a new, independent one: shared=false (default) for a personal copy, shared=true for a team copy (Engineers).");
        group.MapGet("/{id:long}/panels/{index:int}", PanelAsync).WithSummary("What panel #index shows over [from, to) (default: the last 6 hours), with deploy/incident/alert markers.");
        group.MapGet("/services/{name}", ServiceAsync).WithSummary("The dashboard generated for a catalogued service from its log selector and its NAME.* metrics.");
        return app;
    }

    private static async Task<Ok<List<DashboardSummaryDto>>> ListAsync(ClaimsPrincipal user, DashboardStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(user.ToActor(), ct))
            .Select(d => new DashboardSummaryDto(d.Id, d.Title, d.Description, d.IsTeam, d.Owner, d.Panels.Count, d.Revision, d.UpdatedBy, d.UpdatedAt)).ToList());

    private static async Task<Results<Created<DashboardDto>, ProblemHttpResult>> CreateAsync(ClaimsPrincipal user, DashboardStore store, DashboardRequest body, CancellationToken ct) =>
        (await store.CreateAsync(user.ToActor(), Input(body), ct)).ToHttp(d => TypedResults.Created($"/api/dashboards/{d.Id}", DashboardDto.From(d)));

    private static async Task<Results<Ok<DashboardDto>, ProblemHttpResult>> GetAsync(ClaimsPrincipal user, DashboardStore store, long id, CancellationToken ct) =>
        (await store.GetAsync(user.ToActor(), id, ct)).ToHttp(d => TypedResults.Ok(DashboardDto.From(d)));

    private static async Task<Results<Created<DashboardDto>, ProblemHttpResult>> CopyAsync(ClaimsPrincipal user, DashboardStore store, long id, DashboardCopyRequest? body, CancellationToken ct) =>
        (await store.CopyAsync(user.ToActor(), id, body?.Name, body?.Shared ?? false, ct)).ToHttp(d => TypedResults.Created($"/api/dashboards/{d.Id}", DashboardDto.From(d)));

    private static async Task<Results<Ok<DashboardDto>, ProblemHttpResult>> UpdateAsync(ClaimsPrincipal user, DashboardStore store, long id, DashboardRequest body, CancellationToken ct) =>
        (await store.UpdateAsync(user.ToActor(), id, Input(body), ct)).ToHttp(d => TypedResults.Ok(DashboardDto.From(d)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(ClaimsPrincipal user, DashboardStore store, long id, int? baseRevision, CancellationToken ct) =>
        (await store.DeleteAsync(user.ToActor(), id, baseRevision, ct)).ToHttp(TypedResults.NoContent);

    private static async Task<Results<Ok<PanelDataDto>, ProblemHttpResult>> PanelAsync(
        ClaimsPrincipal user, DashboardStore store, PanelData data, DashboardMarkers markers, TimeProvider clock,
        long id, int index, string? from, string? to, CancellationToken ct)
    {
        if (!(await store.GetAsync(user.ToActor(), id, ct)).TryGet(out var dashboard, out var refusal))
        {
            return refusal.ToProblem();
        }
        if (index < 0 || index >= dashboard.Panels.Count)
        {
            return Refusal.NotFound($"Dashboard {id} has no panel {index} (it has {dashboard.Panels.Count}).").ToProblem();
        }
        var end = clock.GetUtcNow();
        if (to is not null && !DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out end))
        {
            return Refusal.InvalidField("to", "'to' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.").ToProblem();
        }
        var start = end.AddHours(-6);
        if (from is not null && !DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start))
        {
            return Refusal.InvalidField("from", "'from' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.").ToProblem();
        }
        if (start >= end)
        {
            return Refusal.InvalidField("from", "'from' must be before 'to'.").ToProblem();
        }
        var result = await data.LoadAsync(dashboard.Panels[index], start, end, ct);
        return TypedResults.Ok(new PanelDataDto(result, await markers.ForRangeAsync(start, end, null, ct)));
    }

    private static async Task<Results<Ok<DashboardDto>, ProblemHttpResult>> ServiceAsync(ServiceDashboards generated, string name, CancellationToken ct) =>
        (await generated.ForServiceAsync(name, ct)).ToHttp(d => TypedResults.Ok(DashboardDto.From(d)));

    private static DashboardInput Input(DashboardRequest body) => new(body.Title, body.Description, body.Panels, body.Personal, body.BaseRevision);
}
