using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Alerts;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Alerts;

/// <summary>The alerts API: rules, backtest, current alerts, acknowledgements, silences. Viewers read; Engineers write.</summary>
public static class AlertsEndpoints
{
    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/alerts/rules").RequireAuthorization().WithTags("Alerts");
        rules.MapGet("", ListRulesAsync).WithSummary("Alert rules, by name; filter by service.");
        rules.MapPost("", CreateRuleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create a rule (Threshold, Anomaly, NoData or HttpCheck); it is evaluated at once and then every interval.");
        rules.MapPost("/preview", PreviewAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Backtest a rule before saving: when it would have fired over the last 1–7 days, notifications, and the measured series.");
        rules.MapGet("/{id:long}", GetRuleAsync).WithSummary("One rule.");
        rules.MapPut("/{id:long}", UpdateRuleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Replace a rule; send the version you read (409 when someone saved in between).");
        rules.MapDelete("/{id:long}", DeleteRuleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Delete a rule with its alerts and history (the events stay on the timeline).");
        rules.MapGet("/{id:long}/history", HistoryAsync).WithSummary("The rule's transitions, newest first: state changes, flapping, acknowledgements, notifications.");
        rules.MapGet("/{id:long}/samples", SamplesAsync).WithSummary("The values the rule measured over the last hours (default 24), oldest first.");

        var alerts = app.MapGroup("/api/alerts").RequireAuthorization().WithTags("Alerts");
        alerts.MapGet("", ListAlertsAsync).WithSummary("Current alerts (every instance not OK; all=true for OK ones too): rule, group, state, since, value.");
        alerts.MapPost("/{id:long}/ack", AcknowledgeAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Acknowledge a firing alert with a comment: no repeated notifications until it recovers.");

        var silences = app.MapGroup("/api/silences").RequireAuthorization().WithTags("Alerts");
        silences.MapGet("", ListSilencesAsync).WithSummary("Silences, latest end first; expired=true includes the expired ones.");
        silences.MapPost("", CreateSilenceAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Silence alerts whose service, rule, group, severity or labels match, from startsAt (default now) to endsAt or for durationMinutes.");
        silences.MapDelete("/{id:long}", EndSilenceAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("End a silence now; it stays listed as expired.");
        return app;
    }

    private static async Task<Ok<List<AlertRuleResponse>>> ListRulesAsync(AlertService alerts, string? service, CancellationToken ct) =>
        TypedResults.Ok((await alerts.ListRulesAsync(service, ct)).Select(AlertRuleResponse.From).ToList());

    private static async Task<Results<Created<AlertRuleResponse>, ProblemHttpResult>> CreateRuleAsync(
        AlertRuleRequest request, ClaimsPrincipal user, AlertService alerts, CancellationToken ct) =>
        (await alerts.CreateAsync(request, user.ToActor(), ct)).ToHttp(r => TypedResults.Created($"/api/alerts/rules/{r.Id}", AlertRuleResponse.From(r)));

    private static async Task<Results<Ok<AlertRuleResponse>, ProblemHttpResult>> GetRuleAsync(long id, AlertService alerts, CancellationToken ct) =>
        (await alerts.GetRuleAsync(id, ct)).ToHttp(r => TypedResults.Ok(AlertRuleResponse.From(r)));

    private static async Task<Results<Ok<AlertRuleResponse>, ProblemHttpResult>> UpdateRuleAsync(
        long id, AlertRuleRequest request, ClaimsPrincipal user, AlertService alerts, CancellationToken ct) =>
        (await alerts.UpdateAsync(id, request, user.ToActor(), ct)).ToHttp(r => TypedResults.Ok(AlertRuleResponse.From(r)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRuleAsync(long id, ClaimsPrincipal user, AlertService alerts, CancellationToken ct) =>
        (await alerts.DeleteAsync(id, user.ToActor(), ct)).ToHttp(() => TypedResults.NoContent());

    private static async Task<Results<Ok<BacktestResult>, ProblemHttpResult>> PreviewAsync(PreviewRequest request, AlertBacktest backtest, CancellationToken ct)
    {
        if (request.Rule is null)
        {
            return Refusal.InvalidField("rule", "Send the rule to backtest as 'rule'.").ToProblem();
        }
        return (await backtest.RunAsync(request.Rule, request.Days ?? 1, ct)).ToHttp(r => TypedResults.Ok(r));
    }

    private static async Task<Results<Ok<List<AlertHistoryResponse>>, ProblemHttpResult>> HistoryAsync(long id, int? limit, AlertService alerts, CancellationToken ct)
    {
        if (!(await alerts.GetRuleAsync(id, ct)).TryGet(out _, out var refusal))
        {
            return refusal.ToProblem();
        }
        return TypedResults.Ok((await alerts.HistoryAsync(id, limit ?? 200, ct)).Select(AlertHistoryResponse.Of).ToList());
    }

    private static async Task<Results<Ok<List<AlertSampleResponse>>, ProblemHttpResult>> SamplesAsync(
        long id, double? hours, AlertService alerts, TimeProvider clock, CancellationToken ct)
    {
        if (hours is <= 0 or > 24 * 14)
        {
            return Refusal.InvalidField("hours", "'hours' is above 0 and at most 336 (14 days).").ToProblem();
        }
        var from = clock.GetUtcNow().AddHours(-(hours ?? 24));
        return TypedResults.Ok((await alerts.SamplesAsync(id, from, ct))
            .Select(s => new AlertSampleResponse(s.At, s.GroupKey, s.Value, AlertStates.Name(s.State), s.Detail)).ToList());
    }

    private static async Task<Results<Ok<List<AlertResponse>>, ProblemHttpResult>> ListAlertsAsync(
        AlertService alerts, string? all, string? service, long? rule, CancellationToken ct)
    {
        var includeOk = false;
        if (!string.IsNullOrEmpty(all) && !bool.TryParse(all, out includeOk))
        {
            return Refusal.InvalidField("all", "'all' must be true or false.").ToProblem();
        }
        return TypedResults.Ok((await alerts.ListAlertsAsync(includeOk, service, rule, ct)).Select(AlertResponse.From).ToList());
    }

    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> AcknowledgeAsync(
        long id, AckRequest? request, ClaimsPrincipal user, AlertService alerts, CancellationToken ct)
    {
        var result = await alerts.AcknowledgeAsync(id, request?.Comment, user.ToActor(), ct);
        if (!result.TryGet(out var instance, out var refusal))
        {
            return refusal.ToProblem();
        }
        var view = (await alerts.ListAlertsAsync(true, null, instance.RuleId, ct)).Single(v => v.Instance.Id == id);
        return TypedResults.Ok(AlertResponse.From(view));
    }

    private static async Task<Results<Ok<List<SilenceResponse>>, ProblemHttpResult>> ListSilencesAsync(
        AlertService alerts, TimeProvider clock, string? expired, CancellationToken ct)
    {
        var includeExpired = false;
        if (!string.IsNullOrEmpty(expired) && !bool.TryParse(expired, out includeExpired))
        {
            return Refusal.InvalidField("expired", "'expired' must be true or false.").ToProblem();
        }
        var now = clock.GetUtcNow();
        return TypedResults.Ok((await alerts.ListSilencesAsync(includeExpired, ct)).Select(s => SilenceResponse.From(s, now)).ToList());
    }

    private static async Task<Results<Created<SilenceResponse>, ProblemHttpResult>> CreateSilenceAsync(
        SilenceRequest request, ClaimsPrincipal user, AlertService alerts, TimeProvider clock, CancellationToken ct) =>
        (await alerts.CreateSilenceAsync(request, user.ToActor(), ct))
            .ToHttp(s => TypedResults.Created($"/api/silences/{s.Id}", SilenceResponse.From(s, clock.GetUtcNow())));

    private static async Task<Results<Ok<SilenceResponse>, ProblemHttpResult>> EndSilenceAsync(
        long id, ClaimsPrincipal user, AlertService alerts, TimeProvider clock, CancellationToken ct) =>
        (await alerts.EndSilenceAsync(id, user.ToActor(), ct)).ToHttp(s => TypedResults.Ok(SilenceResponse.From(s, clock.GetUtcNow())));
}
