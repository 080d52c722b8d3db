using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.OnCall;

public sealed record LayerShiftsDto(string Layer, IReadOnlyList<ScheduleShift> Shifts);
public sealed record CalendarDto(OnCallSchedule Schedule, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ScheduleShift> Final,
    IReadOnlyList<LayerShiftsDto> Layers, IReadOnlyList<OnCallOverride> Overrides)
{
    public static CalendarDto Of(ScheduleCalendar c) =>
        new(c.Schedule, c.From, c.To, c.Final, [.. c.Layers.Select(l => new LayerShiftsDto(l.Layer, l.Shifts))], c.Overrides);
}

/// <summary>What an acknowledgement answers: the page as it is now.</summary>
public sealed record PageAckDto(long PageId, string Status, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? Via, string SubjectType, string SubjectId);

/// <summary>
/// The on-call API: schedules, overrides, who is on call, escalation policies, the page log and acknowledgements,
/// and each user's own notification settings. Viewers read; Engineers write; the acknowledge link needs no sign-in
/// (its token is the credential).
/// </summary>
public static class OnCallEndpoints
{
    public static IEndpointRouteBuilder MapOnCall(this IEndpointRouteBuilder app)
    {
        var oncall = app.MapGroup("/api/oncall").RequireAuthorization().WithTags("On-call");
        oncall.MapGet("/schedules", ListSchedulesAsync).WithSummary("Schedules, by name, with who is on call in each now.");
        oncall.MapPost("/schedules", CreateScheduleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create a schedule: a time zone and layers of rotations (daily, weekly or custom hours) with their people.");
        oncall.MapGet("/schedules/{id:long}", GetScheduleAsync).WithSummary("One schedule.");
        oncall.MapPut("/schedules/{id:long}", UpdateScheduleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Replace a schedule; send the version you read (409 when someone saved in between).");
        oncall.MapDelete("/schedules/{id:long}", DeleteScheduleAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Delete a schedule (refused while a policy names it).");
        oncall.MapGet("/schedules/{id:long}/calendar", CalendarAsync)
            .WithSummary("Who is on call over [from, to) (default: the next 14 days): the final shifts, each layer's, and the overrides.");
        oncall.MapPost("/overrides", AddOverrideAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Put a person on call in a schedule from startsAt to endsAt, whatever the rotation says.");
        oncall.MapDelete("/overrides/{id:long}", RemoveOverrideAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Remove an override.");
        oncall.MapGet("/now", NowAsync).WithSummary("Who is on call now: for a service (?service=, through its escalation policy), else in every schedule.");

        var policies = app.MapGroup("/api/escalation-policies").RequireAuthorization().WithTags("On-call");
        policies.MapGet("", ListPoliciesAsync).WithSummary("Escalation policies, by name.");
        policies.MapPost("", CreatePolicyAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Create a policy: levels of schedules, people or channels, each with a timeout in minutes; repeat N times.");
        policies.MapGet("/{id:long}", GetPolicyAsync).WithSummary("One policy.");
        policies.MapPut("/{id:long}", UpdatePolicyAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Replace a policy; send the version you read. Pages under way keep the levels they started with.");
        policies.MapDelete("/{id:long}", DeletePolicyAsync).RequireAuthorization(AuthSetup.EngineerPolicy).WithSummary("Delete a policy.");

        var pages = app.MapGroup("/api/pages").WithTags("On-call");
        pages.MapGet("", ListPagesAsync).RequireAuthorization().WithSummary("The page log, newest first (?open=true: not resolved; ?limit=).");
        pages.MapGet("/{id:long}", GetPageAsync).RequireAuthorization().WithSummary("One page with every destination and its delivery.");
        pages.MapPost("/{id:long}/ack", AcknowledgeAsync).RequireAuthorization()
            .WithSummary("Acknowledge a page (Engineers, and the people it was sent to): escalation stops, the alert or incident is acknowledged.");
        pages.MapPost("/{token}/ack", AcknowledgeByLinkAsync).AllowAnonymous()
            .WithSummary("Acknowledge by the signed link of a message: no sign-in; single use; expires. 409 with state used|expired|acknowledged|resolved.");

        var me = app.MapGroup("/api/me/notifications").RequireAuthorization().WithTags("On-call");
        me.MapGet("", GetMineAsync).WithSummary("Your notification settings: email, webhook (host only), browser, subscriptions, quiet hours.");
        me.MapPut("", SaveMineAsync).WithSummary("Change your notification settings; fields left out keep their value; webhookUrl \"\" removes it.");
        return app;
    }

    private static async Task<Ok<List<OnCallNow>>> ListSchedulesAsync(ScheduleService schedules, CancellationToken ct) =>
        TypedResults.Ok(await schedules.NowAsync(null, ct));

    private static async Task<Results<Created<OnCallSchedule>, ProblemHttpResult>> CreateScheduleAsync(
        ScheduleInput body, ClaimsPrincipal user, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.CreateAsync(body, user.ToActor(), ct)).ToHttp(s => TypedResults.Created($"/api/oncall/schedules/{s.Id}", s));

    private static async Task<Results<Ok<OnCallSchedule>, ProblemHttpResult>> GetScheduleAsync(long id, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.GetAsync(id, ct)).ToHttp(s => TypedResults.Ok(s));

    private static async Task<Results<Ok<OnCallSchedule>, ProblemHttpResult>> UpdateScheduleAsync(
        long id, ScheduleInput body, ClaimsPrincipal user, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.UpdateAsync(id, body, user.ToActor(), ct)).ToHttp(s => TypedResults.Ok(s));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteScheduleAsync(long id, ClaimsPrincipal user, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.DeleteAsync(id, user.ToActor(), ct)).ToHttp(() => TypedResults.NoContent());

    private static async Task<Results<Ok<CalendarDto>, ProblemHttpResult>> CalendarAsync(
        long id, DateTimeOffset? from, DateTimeOffset? to, ScheduleService schedules, TimeProvider clock, CancellationToken ct)
    {
        var start = from ?? clock.GetUtcNow();
        return (await schedules.CalendarAsync(id, start, to ?? start.AddDays(14), ct)).ToHttp(c => TypedResults.Ok(CalendarDto.Of(c)));
    }

    private static async Task<Results<Created<OnCallOverride>, ProblemHttpResult>> AddOverrideAsync(
        OverrideInput body, ClaimsPrincipal user, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.AddOverrideAsync(body, user.ToActor(), ct)).ToHttp(o => TypedResults.Created($"/api/oncall/schedules/{o.ScheduleId}/calendar", o));

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveOverrideAsync(long id, ClaimsPrincipal user, ScheduleService schedules, CancellationToken ct) =>
        (await schedules.RemoveOverrideAsync(id, user.ToActor(), ct)).ToHttp(() => TypedResults.NoContent());

    private static async Task<Results<Ok<OnCallForService>, Ok<List<OnCallNow>>>> NowAsync(
        string? service, ScheduleService schedules, EscalationPolicies policies, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(service)
            ? TypedResults.Ok(await schedules.NowAsync(null, ct))
            : TypedResults.Ok(await policies.OnCallForAsync(service.Trim(), ct));

    private static async Task<Ok<List<EscalationPolicy>>> ListPoliciesAsync(EscalationPolicies policies, CancellationToken ct) =>
        TypedResults.Ok(await policies.ListAsync(ct));

    private static async Task<Results<Created<EscalationPolicy>, ProblemHttpResult>> CreatePolicyAsync(
        PolicyInput body, ClaimsPrincipal user, EscalationPolicies policies, CancellationToken ct) =>
        (await policies.SaveAsync(null, body, user.ToActor(), ct)).ToHttp(p => TypedResults.Created($"/api/escalation-policies/{p.Id}", p));

    private static async Task<Results<Ok<EscalationPolicy>, ProblemHttpResult>> GetPolicyAsync(long id, EscalationPolicies policies, CancellationToken ct) =>
        (await policies.GetAsync(id, ct)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<Results<Ok<EscalationPolicy>, ProblemHttpResult>> UpdatePolicyAsync(
        long id, PolicyInput body, ClaimsPrincipal user, EscalationPolicies policies, CancellationToken ct) =>
        (await policies.SaveAsync(id, body, user.ToActor(), ct)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicyAsync(long id, ClaimsPrincipal user, EscalationPolicies policies, CancellationToken ct) =>
        (await policies.DeleteAsync(id, user.ToActor(), ct)).ToHttp(() => TypedResults.NoContent());

    private static async Task<Ok<List<PageView>>> ListPagesAsync(bool? open, int? limit, PageLog log, CancellationToken ct) =>
        TypedResults.Ok(await log.ListAsync(limit ?? 50, open ?? false, ct));

    private static async Task<Results<Ok<PageView>, ProblemHttpResult>> GetPageAsync(long id, PageLog log, CancellationToken ct) =>
        (await log.GetAsync(id, ct)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<Results<Ok<PageAckDto>, ProblemHttpResult>> AcknowledgeAsync(
        long id, ClaimsPrincipal user, PageAcknowledgements acks, CancellationToken ct) =>
        (await acks.AcknowledgeAsync(id, user.ToActor(), "api", ct)).ToHttp(a => TypedResults.Ok(Dto(a.Page)));

    private static async Task<Results<Ok<PageAckDto>, ProblemHttpResult>> AcknowledgeByLinkAsync(string token, PageAcknowledgements acks, CancellationToken ct) =>
        (await acks.AcknowledgeByTokenAsync(token, ct)).ToHttp(a => TypedResults.Ok(Dto(a.Page)));

    private static async Task<Ok<PersonalSettingsView>> GetMineAsync(ClaimsPrincipal user, PersonalSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.GetAsync(user.ToActor(), ct));

    private static async Task<Results<Ok<PersonalSettingsView>, ProblemHttpResult>> SaveMineAsync(
        PersonalSettingsInput body, ClaimsPrincipal user, PersonalSettingsService settings, CancellationToken ct) =>
        (await settings.SaveAsync(user.ToActor(), body, ct)).ToHttp(s => TypedResults.Ok(s));

    internal static PageAckDto Dto(Page p) =>
        new(p.Id, p.Status.ToString(), p.AcknowledgedBy, p.AcknowledgedAt, p.AcknowledgedVia, p.SubjectType, p.SubjectId);
}
