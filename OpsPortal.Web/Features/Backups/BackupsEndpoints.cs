using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Backups;

/// <summary>A target as the API shows it: never its connection string; its destination folder and pgbackrest.conf path to Admins only.</summary>
public sealed record BackupTargetResponse(
    long Id, string Name, bool BuiltIn, string Server, string? Destination, string? Schedule, string? DrillSchedule,
    int KeepDaily, int KeepWeekly, int KeepMonthly, int BackupMaxAgeHours, int DrillMaxAgeHours, BackupChecks Checks,
    DateTimeOffset? StaleSince, string? StaleReason, string Method, string? Stanza, string? PgBackRestConfig)
{
    public static BackupTargetResponse From(BackupTarget t, bool admin) => new(
        t.Id, t.Name, t.BuiltIn, t.Server, admin ? t.Destination : null, t.Schedule, t.DrillSchedule, t.KeepDaily, t.KeepWeekly, t.KeepMonthly,
        t.BackupMaxAgeHours, t.DrillMaxAgeHours, t.Checks, t.StaleSince, t.StaleReason, t.Method, t.Stanza, admin ? t.PgBackRestConfig : null);
}

/// <summary>A backup; <see cref="Location"/> (the file's path) only for Admins.</summary>
public sealed record BackupResponse(
    long Id, long TargetId, string Method, string Status, string Trigger, string RequestedBy, DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Location, long? SizeBytes, string? Sha256,
    IReadOnlyDictionary<string, long> RowCounts, string? Error, DateTimeOffset? DeletedAt, string? Label)
{
    public static BackupResponse From(Backup b, bool admin) => new(
        b.Id, b.TargetId, b.Method, b.Status, b.Trigger, b.RequestedBy, b.QueuedAt, b.StartedAt, b.FinishedAt,
        admin ? b.Location : null, b.SizeBytes, b.Sha256, b.RowCounts, b.Error, b.DeletedAt, b.Label);
}

public sealed record DrillResponse(
    long Id, long TargetId, long BackupId, string Status, string Trigger, string RequestedBy, DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? RtoSeconds, IReadOnlyList<DrillStep> Steps, string? FailedStep, string? Error)
{
    public static DrillResponse From(BackupDrill d) => new(
        d.Id, d.TargetId, d.BackupId, d.Status, d.Trigger, d.RequestedBy, d.QueuedAt, d.StartedAt, d.FinishedAt, d.RtoSeconds, d.Steps, d.FailedStep, d.Error);
}

/// <summary>The backups API (docs/backups.md): every signed-in user reads; Admins add targets, run backups and drills.</summary>
public static class BackupsEndpoints
{
    public static IEndpointRouteBuilder MapBackups(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/backups").RequireAuthorization().WithTags("Backups");
        group.MapGet("/targets", ListTargetsAsync).WithSummary("Backup targets: the portal's own database first; never a connection string.");
        group.MapPost("/targets", CreateTargetAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Add a PostgreSQL database to back up (its connection string is stored encrypted, never shown back).");
        group.MapPut("/targets/{id:long}", UpdateTargetAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Change a target: schedules, retention, thresholds, checks; a connection string only when given.");
        group.MapPost("/targets/{id:long}/run", RunAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Back the target up now (202; 409 while one of it is queued or running).");
        group.MapPost("/targets/{id:long}/drill", DrillLatestAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Restore-drill the target's latest good backup now.");
        group.MapGet("", ListBackupsAsync).WithSummary("Backups, newest first; target= one target's; limit (default 100).");
        group.MapGet("/{id:long}", GetBackupAsync).WithSummary("One backup.");
        group.MapPost("/{id:long}/drill", DrillAsync).RequireAuthorization(AuthSetup.AdminPolicy)
            .WithSummary("Restore-drill this backup into a scratch database now (202).");
        group.MapGet("/drills", ListDrillsAsync).WithSummary("Restore drills with their timed steps and RTO, newest first; target= one target's.");
        group.MapGet("/drills/{id:long}", GetDrillAsync).WithSummary("One drill.");
        return app;
    }

    private static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    private static async Task<Ok<List<BackupTargetResponse>>> ListTargetsAsync(BackupTargets targets, ClaimsPrincipal user, CancellationToken ct)
    {
        await targets.EnsureBuiltInAsync(ct);
        return TypedResults.Ok((await targets.ListAsync(ct)).Select(t => BackupTargetResponse.From(t, IsAdmin(user))).ToList());
    }

    private static async Task<Results<Created<BackupTargetResponse>, ProblemHttpResult>> CreateTargetAsync(
        BackupTargetInput request, BackupTargets targets, ClaimsPrincipal user, CancellationToken ct) =>
        (await targets.CreateAsync(user.ToActor(), request, ct)).ToHttp(t => TypedResults.Created($"/api/backups/targets/{t.Id}", BackupTargetResponse.From(t, true)));

    private static async Task<Results<Ok<BackupTargetResponse>, ProblemHttpResult>> UpdateTargetAsync(
        long id, BackupTargetInput request, BackupTargets targets, ClaimsPrincipal user, CancellationToken ct) =>
        (await targets.UpdateAsync(user.ToActor(), id, request, ct)).ToHttp(t => TypedResults.Ok(BackupTargetResponse.From(t, true)));

    private static async Task<Results<Accepted<BackupResponse>, ProblemHttpResult>> RunAsync(long id, BackupRunner runner, ClaimsPrincipal user, CancellationToken ct) =>
        (await runner.QueueAsync(user.ToActor(), id, "manual", ct)).ToHttp(b => TypedResults.Accepted($"/api/backups/{b.Id}", BackupResponse.From(b, true)));

    private static async Task<Results<Accepted<DrillResponse>, ProblemHttpResult>> DrillLatestAsync(long id, BackupDrills drills, ClaimsPrincipal user, CancellationToken ct) =>
        (await drills.QueueAsync(user.ToActor(), id, null, "manual", ct)).ToHttp(d => TypedResults.Accepted($"/api/backups/drills/{d.Id}", DrillResponse.From(d)));

    private static async Task<Results<Accepted<DrillResponse>, ProblemHttpResult>> DrillAsync(long id, BackupDrills drills, ClaimsPrincipal user, CancellationToken ct) =>
        (await drills.QueueAsync(user.ToActor(), null, id, "manual", ct)).ToHttp(d => TypedResults.Accepted($"/api/backups/drills/{d.Id}", DrillResponse.From(d)));

    private static async Task<Ok<List<BackupResponse>>> ListBackupsAsync(BackupHistory history, ClaimsPrincipal user, long? target, int? limit, CancellationToken ct) =>
        TypedResults.Ok((await history.BackupsAsync(target, limit ?? 100, ct)).Select(b => BackupResponse.From(b, IsAdmin(user))).ToList());

    private static async Task<Results<Ok<BackupResponse>, ProblemHttpResult>> GetBackupAsync(long id, BackupHistory history, ClaimsPrincipal user, CancellationToken ct) =>
        await history.BackupAsync(id, ct) is { } b ? TypedResults.Ok(BackupResponse.From(b, IsAdmin(user))) : Refusal.NotFound($"There is no backup {id}.").ToProblem();

    private static async Task<Ok<List<DrillResponse>>> ListDrillsAsync(BackupHistory history, long? target, int? limit, CancellationToken ct) =>
        TypedResults.Ok((await history.DrillsAsync(target, limit ?? 100, ct)).Select(DrillResponse.From).ToList());

    private static async Task<Results<Ok<DrillResponse>, ProblemHttpResult>> GetDrillAsync(long id, BackupHistory history, CancellationToken ct) =>
        await history.DrillAsync(id, ct) is { } d ? TypedResults.Ok(DrillResponse.From(d)) : Refusal.NotFound($"There is no drill {id}.").ToProblem();
}
