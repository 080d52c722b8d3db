using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Deploys;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Deploys;

public sealed record DeployRequestBody(string? Service, string? Environment, string? Version, string? Ticket, string? OverrideReason = null);
public sealed record RollbackRequestBody(string? Ticket);
public sealed record LockRequestBody(string? Service, string? Environment, string? Reason, DateTimeOffset? StartsAt = null,
    DateTimeOffset? ExpiresAt = null, bool RepeatsWeekly = false, string? TimeZone = null);
public sealed record PromoteRequestBody(string? Service, string? From, string? To, string? Version, string? Ticket, string? OverrideReason = null);
public sealed record DriftCellDto(string Environment, string? Version, string? Previous, string? PreviousVersion, bool Differs);
public sealed record DriftRowDto(string Service, bool InSync, IReadOnlyList<DriftCellDto> Environments);
public sealed record DeployAccepted(long Id, string Status, string Url);
public sealed record DeployOutputDto(long Seq, DateTimeOffset At, string Stream, string Text);
public sealed record DeploySummaryDto(long Id, string Service, string Environment, string Action, string Status, string Version,
    string? PreviousVersion, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    int? ExitCode, string? Outcome, string? Ticket, string? DiffUrl, long? RollbackOf, long LineCount, string? PromotedFrom);
public sealed record DeployDetailDto(DeploySummaryDto Deploy, IReadOnlyList<DeployOutputDto> Output, long? NextOutput)
{
    // The documented shape (docs/deploys.md): {id, status, version, output}; the rest is in 'deploy'.
    public long Id => Deploy.Id;
    public string Status => Deploy.Status;
    public string Version => Deploy.Version;
}
public sealed record DeployListDto(IReadOnlyList<DeploySummaryDto> Deploys, long? Next);
public sealed record DeployLockDto(long Id, string Service, string Environment, string Reason, string LockedBy, DateTimeOffset LockedAt,
    DateTimeOffset StartsAt, DateTimeOffset? ExpiresAt, bool RepeatsWeekly, string Description, string? TimeZone);

/// <summary>The deploy API (docs/deploys.md), so CI can deploy continuously. Writes need Engineer, and the target's own role.</summary>
public static class DeploysEndpoints
{
    public static IEndpointRouteBuilder MapDeploys(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/deploys").RequireAuthorization().WithTags("Deploys");
        api.MapGet("", ListAsync).WithSummary("Deploys, newest first, filtered by service, environment, status or user; pass 'next' back as 'before'.");
        api.MapPost("", DeployAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Start a deploy: 202 with its id; 409 while another runs or a lock or freeze holds; 400 for an invalid version.");
        api.MapPost("/promote", PromoteAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Promote the version 'from' runs to 'to' (default: the next environment in services.yaml) as an ordinary deploy: 202, or 409 when locked, frozen or nothing to promote.");
        api.MapGet("/drift", DriftAsync).WithSummary("Which environment runs which version, per service, and where it differs from the environment before it.");
        api.MapGet("/{id:long}", GetAsync).WithSummary("A deploy with its output from line 'from' (1-based), at most 'limit' lines (default 1000, max 5000).");
        api.MapPost("/{id:long}/cancel", CancelAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Ask the running script to stop (SIGTERM, then kill after the grace period).");
        api.MapPost("/{id:long}/rollback", RollbackAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Roll the deploy's target back to its last good version; the deploy must be the target's latest.");
        api.MapGet("/locks", LocksAsync).WithSummary("Manual locks; service and environment '*' is the global freeze.");
        api.MapPost("/locks", LockAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Lock one target with a reason, or freeze everything (service and environment '*', Admins); optional startsAt, expiresAt, repeatsWeekly, timeZone (IANA, e.g. Europe/Berlin: a weekly window keeps its wall-clock times).");
        api.MapDelete("/locks/{id:long}", UnlockAsync).RequireAuthorization(AuthSetup.EngineerPolicy).WithSummary("Release a lock or the freeze.");
        return app;
    }

    private static async Task<Ok<DeployListDto>> ListAsync(DeployQueries queries, string? service, string? environment,
        string? status, string? user, long? before, int? limit, CancellationToken ct)
    {
        var size = Math.Clamp(limit ?? 50, 1, 500);
        var list = await queries.HistoryAsync(new DeployHistoryFilter(service, environment, status, user, before, size), ct);
        return TypedResults.Ok(new DeployListDto(list.Select(Summary).ToList(), list.Count == size ? list[^1].Id : null));
    }

    private static async Task<Results<Accepted<DeployAccepted>, ProblemHttpResult>> DeployAsync(
        ClaimsPrincipal user, DeployStarter starter, DeployRequestBody body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Service) || string.IsNullOrWhiteSpace(body.Environment))
        {
            return Refusal.Invalid("Give 'service' and 'environment' (and 'version').", "Missing target").ToProblem();
        }
        var result = await starter.DeployAsync(user.ToActor(), body.Service, body.Environment, body.Version,
            string.IsNullOrWhiteSpace(body.Ticket) ? null : body.Ticket.Trim(), body.OverrideReason, ct);
        return Accepted(result);
    }

    private static async Task<Results<Accepted<DeployAccepted>, ProblemHttpResult>> PromoteAsync(
        ClaimsPrincipal user, DeployStarter starter, PromoteRequestBody body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Service) || string.IsNullOrWhiteSpace(body.From))
        {
            return Refusal.Invalid("Give 'service' and 'from' (and optionally 'to' and the 'version' you saw there).", "Missing target").ToProblem();
        }
        var result = await starter.PromoteAsync(user.ToActor(), body.Service, body.From, body.To, body.Version,
            string.IsNullOrWhiteSpace(body.Ticket) ? null : body.Ticket.Trim(), body.OverrideReason, ct);
        return Accepted(result);
    }

    private static async Task<Ok<List<DriftRowDto>>> DriftAsync(DeployQueries queries, CancellationToken ct) =>
        TypedResults.Ok(DeployDrift.Of(await queries.BoardAsync(ct)).Select(r => new DriftRowDto(r.Service, r.InSync,
            r.Cells.Select(c => new DriftCellDto(c.Environment, c.Version, c.Previous, c.PreviousVersion, c.Differs)).ToList())).ToList());

    private static async Task<Results<Ok<DeployDetailDto>, ProblemHttpResult>> GetAsync(DeployQueries queries, long id, long? from, int? limit, CancellationToken ct)
    {
        var deploy = await queries.GetAsync(id, ct);
        if (deploy is null)
        {
            return Refusal.NotFound($"There is no deploy #{id}.", "Unknown deploy").ToProblem();
        }
        var size = Math.Clamp(limit ?? 1000, 1, DeployQueries.MaxOutputPage);
        var lines = await queries.OutputAsync(id, Math.Max(1, from ?? 1), size, ct);
        var output = lines.Select(l => new DeployOutputDto(l.Seq, l.At, l.IsError ? "stderr" : "stdout", l.Text)).ToList();
        return TypedResults.Ok(new DeployDetailDto(Summary(deploy), output, lines.Count == size ? lines[^1].Seq + 1 : null));
    }

    private static async Task<Results<Accepted<DeployAccepted>, ProblemHttpResult>> CancelAsync(ClaimsPrincipal user, DeployStarter starter, long id, CancellationToken ct) =>
        Accepted(await starter.CancelAsync(user.ToActor(), id, ct));

    private static async Task<Results<Accepted<DeployAccepted>, ProblemHttpResult>> RollbackAsync(
        ClaimsPrincipal user, DeployStarter starter, long id, RollbackRequestBody? body, CancellationToken ct) =>
        Accepted(await starter.RollbackAsync(user.ToActor(), id, string.IsNullOrWhiteSpace(body?.Ticket) ? null : body.Ticket.Trim(), ct));

    private static async Task<Ok<List<DeployLockDto>>> LocksAsync(DeployLocks locks, CancellationToken ct) =>
        TypedResults.Ok((await locks.ListAsync(ct)).Select(Lock).ToList());

    private static async Task<Results<Created<DeployLockDto>, ProblemHttpResult>> LockAsync(ClaimsPrincipal user, DeployLocks locks, LockRequestBody body, CancellationToken ct) =>
        (await locks.LockAsync(user.ToActor(), body.Service ?? "", body.Environment ?? "", body.Reason ?? "",
            new DeployLockSchedule(body.StartsAt, body.ExpiresAt, body.RepeatsWeekly, body.TimeZone), ct))
            .ToHttp(held => TypedResults.Created($"/api/deploys/locks/{held.Id}", Lock(held)));

    private static async Task<Results<NoContent, ProblemHttpResult>> UnlockAsync(ClaimsPrincipal user, DeployLocks locks, long id, CancellationToken ct) =>
        (await locks.UnlockAsync(user.ToActor(), id, ct)).ToHttp(TypedResults.NoContent);

    private static Results<Accepted<DeployAccepted>, ProblemHttpResult> Accepted(Result<Deploy> result) =>
        result.ToHttp(d => TypedResults.Accepted($"/api/deploys/{d.Id}", new DeployAccepted(d.Id, d.Status, $"/deploys/{d.Id}")));

    internal static DeploySummaryDto Summary(Deploy d) => new(d.Id, d.Service, d.Environment, d.Action, d.Status, d.Version,
        d.PreviousVersion, d.RequestedBy, d.RequestedAt, d.StartedAt, d.FinishedAt, d.ExitCode, d.Outcome, d.TicketKey, d.DiffUrl, d.RollbackOf, d.LineCount, d.PromotedFrom);

    private static DeployLockDto Lock(DeployLock l) => new(l.Id, l.Service, l.Environment, l.Reason, l.LockedBy, l.LockedAt,
        l.StartsAt, l.ExpiresAt, l.RepeatsWeekly, DeployGuard.Describe(l), l.TimeZone);
}
