using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsPortal.Core;
using OpsPortal.Core.Incidents;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Incidents;

public sealed record IncidentResponse(
    long Id, string Title, string Severity, string Status, IReadOnlyList<string> Services, string? Commander,
    IReadOnlyList<string> Participants, string? Summary, DateTimeOffset StartedAt, DateTimeOffset? DetectedAt,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? MitigatedAt, DateTimeOffset? ResolvedAt, string? Ticket,
    string? Postmortem, string? LogQuery, DateTimeOffset? LogFrom, DateTimeOffset? LogTo, string CreatedBy, DateTimeOffset CreatedAt)
{
    public static IncidentResponse From(Incident i) => new(i.Id, i.Title, Incident.SeverityName(i.Severity), i.Status.ToString(),
        i.Services, i.Commander, i.Participants, i.Summary, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.MitigatedAt, i.ResolvedAt,
        i.TicketKey, i.PostmortemSlug, i.LogQuery, i.LogFrom, i.LogTo, i.CreatedBy, i.CreatedAt);
}

public sealed record NoteRequest(string? Text, DateTimeOffset? At);
public sealed record NoteResponse(long Id, DateTimeOffset At, string Author, string Text);
public sealed record TimelineResponse(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TimelineEntry> Items);
public sealed record TimelineEntry(long EventId, DateTimeOffset At, DateTimeOffset RecordedAt, string Kind, string Category,
    string Actor, string Summary, string? Service, bool Pinned, string? Text, bool Relevant);

public sealed record ActionItemRequest(string? Text);

public sealed record ActionItemTicketResponse(string TicketKey);
public sealed record MetricValue(double? Mean, double? Median, double? P90, int Samples, int Excluded)
{
    public static MetricValue From(MetricSummary s) => new(s.Mean, s.Median, s.P90, s.Samples, s.Excluded);
}
public sealed record IncidentMetricsResponse(int Count, MetricValue Mttd, MetricValue Mtta, MetricValue Mttr, MetricValue Mtbf, int MtbfOverlaps);

/// <summary>The incidents API (docs/incidents.md): everyone signed in reads, Engineers write.</summary>
public static class IncidentsEndpoints
{
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/incidents").RequireAuthorization().WithTags("Incidents");
        group.MapGet("", ListAsync).WithSummary("Incidents, newest first; filter by open=true|false, service, severity.");
        group.MapPost("", DeclareAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Declare an incident. Times may be given to record history late; a ticket of type incident is linked.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One incident with its five times.");
        group.MapPatch("/{id:long}", UpdateAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Change fields, status (Investigating, Identified, Mitigated, Resolved) or any of the five times; each change is recorded.");
        group.MapPost("/{id:long}/acknowledge", AcknowledgeAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Acknowledge now (no change when already acknowledged).");
        group.MapPost("/{id:long}/notes", AddNoteAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Add a note to the timeline at a time of your choosing (default now).");
        group.MapGet("/{id:long}/timeline", TimelineAsync)
            .WithSummary("Everything that happened, in order: state changes, notes, the services' deploys and changes in the window (margin in minutes before the start); relevant=false marks what the page hides until 'show all'.");
        group.MapGet("/{id:long}/action-items", ActionItemsAsync)
            .WithSummary("The postmortem's action items (its '- [ ]' checklist under 'Action items') with the ticket made from each.");
        group.MapPost("/{id:long}/action-items/ticket", ActionItemTicketAsync).RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithSummary("Make the ticket of one action item, linked to the incident; asking again returns the same ticket.");
        app.MapGet("/api/metrics/incidents", MetricsAsync).RequireAuthorization().WithTags("Incidents")
            .WithSummary("MTTD, MTTA, MTTR and MTBF (mean, median, p90 in seconds; null where undefined) of incidents started in [from, to).");
        app.MapGet("/api/metrics/incidents/export", ExportAsync).RequireAuthorization().WithTags("Incidents")
            .WithSummary("The metrics per week or month (period=week|month) as CSV, in seconds.");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        IncidentQueries queries, TimeProvider clock, string? from, string? to, string? period, string? service, string? severity, CancellationToken ct)
    {
        if (!TryInstant(from, nameof(from), out var start, out var problem) || !TryInstant(to, nameof(to), out var end, out problem)
            || !TrySeverity(severity, out var sev, out problem))
        {
            return problem!;
        }
        var unit = period?.Trim().ToLowerInvariant() switch
        {
            null or "" or "week" => MetricPeriod.Week,
            "month" => MetricPeriod.Month,
            _ => (MetricPeriod?)null,
        };
        if (unit is null)
        {
            return Invalid("'period' must be week or month.");
        }
        var until = end ?? clock.GetUtcNow();
        var since = start ?? until.AddDays(-90);
        if (since >= until || until - since > TimeSpan.FromDays(3660))
        {
            return Invalid("'from' must be before 'to', at most ten years apart.");
        }
        var buckets = IncidentMetricsCalculator.ByPeriod(await queries.TimesAsync(until, ct), unit.Value, since, until, NullIfEmpty(service), sev);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(IncidentMetricsCsv.Write(buckets)), "text/csv",
            $"incident-metrics-{unit.Value.ToString().ToLowerInvariant()}.csv");
    }

    private static async Task<Results<Ok<List<IncidentResponse>>, ProblemHttpResult>> ListAsync(
        IncidentQueries queries, string? open, string? service, string? severity, int? limit, CancellationToken ct)
    {
        bool? isOpen = null;
        if (!string.IsNullOrEmpty(open))
        {
            if (!bool.TryParse(open, out var o))
            {
                return Invalid("'open' must be true or false.");
            }
            isOpen = o;
        }
        if (!TrySeverity(severity, out var sev, out var problem))
        {
            return problem!;
        }
        var list = await queries.ListAsync(new IncidentListFilter(isOpen, NullIfEmpty(service), sev, limit ?? 100), ct);
        return TypedResults.Ok(list.Select(IncidentResponse.From).ToList());
    }

    private static async Task<Results<Created<IncidentResponse>, ProblemHttpResult>> DeclareAsync(
        DeclareIncident request, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        (await incidents.DeclareAsync(request, user.ToActor(), ct))
            .ToHttp(incident => TypedResults.Created($"/api/incidents/{incident.Id}", IncidentResponse.From(incident)));

    private static async Task<Results<Ok<IncidentResponse>, ProblemHttpResult>> GetAsync(long id, IncidentQueries queries, CancellationToken ct) =>
        await queries.GetAsync(id, ct) is { } incident ? TypedResults.Ok(IncidentResponse.From(incident)) : IncidentRules.NotFound(id).ToProblem();

    private static async Task<Results<Ok<IncidentResponse>, ProblemHttpResult>> UpdateAsync(
        long id, IncidentChange change, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        (await incidents.UpdateAsync(id, change, user.ToActor(), ct)).ToHttp(incident => TypedResults.Ok(IncidentResponse.From(incident)));

    private static async Task<Results<Ok<IncidentResponse>, ProblemHttpResult>> AcknowledgeAsync(
        long id, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        (await incidents.AcknowledgeAsync(id, user.ToActor(), ct)).ToHttp(incident => TypedResults.Ok(IncidentResponse.From(incident)));

    private static async Task<Results<Created<NoteResponse>, ProblemHttpResult>> AddNoteAsync(
        long id, NoteRequest request, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        (await incidents.AddNoteAsync(id, request.Text ?? "", request.At, user.ToActor(), ct))
            .ToHttp(note => TypedResults.Created($"/api/incidents/{id}/timeline", new NoteResponse(note.Id, note.At, note.Author, note.Text)));

    private static async Task<Results<Ok<TimelineResponse>, ProblemHttpResult>> TimelineAsync(
        long id, int? margin, IncidentQueries queries, IncidentTimeline timeline,
        IOptions<IncidentsOptions> options, CancellationToken ct)
    {
        if (margin is < 0 or > 7 * 24 * 60)
        {
            return Invalid("'margin' is minutes before the impact start, from 0 to 10080 (7 days).");
        }
        if (await queries.GetAsync(id, ct) is not { } incident)
        {
            return IncidentRules.NotFound(id).ToProblem();
        }
        var span = margin is { } m ? TimeSpan.FromMinutes(m) : options.Value.TimelineMargin;
        var items = await timeline.BuildAsync(incident, span, ct);
        var window = timeline.WindowFor(incident, span);
        return TypedResults.Ok(new TimelineResponse(window.From, window.To, items.Select(i => new TimelineEntry(
            i.EventId, i.At, i.RecordedAt, i.Kind, i.Category.ToString().ToLowerInvariant(), i.Actor, i.Summary, i.Service, i.Pinned, i.Text, i.Relevant)).ToList()));
    }

    private static async Task<Results<Ok<IReadOnlyList<ActionItemView>>, ProblemHttpResult>> ActionItemsAsync(
        long id, IncidentActionItems items, CancellationToken ct) =>
        (await items.ListAsync(id, ct)).ToHttp(list => TypedResults.Ok(list));

    private static async Task<Results<Ok<ActionItemTicketResponse>, ProblemHttpResult>> ActionItemTicketAsync(
        long id, ActionItemRequest request, ClaimsPrincipal user, IncidentActionItems items, CancellationToken ct) =>
        (await items.CreateTicketAsync(id, request.Text ?? "", user.ToActor(), ct)).ToHttp(key => TypedResults.Ok(new ActionItemTicketResponse(key)));

    private static async Task<Results<Ok<IncidentMetricsResponse>, ProblemHttpResult>> MetricsAsync(
        IncidentQueries queries, string? from, string? to, string? service, string? severity, CancellationToken ct)
    {
        if (!TryInstant(from, nameof(from), out var start, out var problem) || !TryInstant(to, nameof(to), out var end, out problem)
            || !TrySeverity(severity, out var sev, out problem))
        {
            return problem!;
        }
        if (start is { } a && end is { } b && a >= b)
        {
            return Invalid("'from' must be before 'to'.");
        }
        var m = await queries.MetricsAsync(new MetricFilter(start, end, NullIfEmpty(service), sev), ct);
        return TypedResults.Ok(new IncidentMetricsResponse(m.Count, MetricValue.From(m.Mttd), MetricValue.From(m.Mtta),
            MetricValue.From(m.Mttr), MetricValue.From(m.Mtbf), m.MtbfOverlaps));
    }

    private static bool TrySeverity(string? text, out IncidentSeverity? severity, out ProblemHttpResult? problem)
    {
        (severity, problem) = (null, null);
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (IncidentRules.TryParseSeverity(text, out var s))
        {
            severity = s;
            return true;
        }
        problem = Invalid($"'severity' must be SEV1, SEV2, SEV3 or SEV4, not '{text}'.");
        return false;
    }

    private static bool TryInstant(string? text, string name, out DateTimeOffset? value, out ProblemHttpResult? problem)
    {
        (value, problem) = (null, null);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            value = t;
            return true;
        }
        problem = Invalid($"'{name}' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.");
        return false;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static ProblemHttpResult Invalid(string detail) => IncidentRules.Invalid(detail).ToProblem();
}
