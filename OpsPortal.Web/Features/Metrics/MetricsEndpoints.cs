using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Ingest;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Metrics;

/// <summary>This node's ports (null when off) and every node heard from in the last hour.</summary>
public sealed record MetricListenersResponse(int? StatsdPort, int? GraphitePort, IReadOnlyList<MetricNodeStatus> Nodes);

/// <summary>The metrics API (docs/metrics.md): every signed-in user reads.</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/metrics").RequireAuthorization().WithTags("Metrics");
        group.MapGet("/series", SeriesAsync).WithSummary(
            "A metric (or a * pattern) per step over [from, to): fn = sum, count, avg, min, max, last, rate or pNN; " +
            "groupBy = name or a segment number; step like 10s, 1m, 1h, 1d or seconds (default: about 300 points).");
        group.MapGet("/names", NamesAsync).WithSummary("Metric names starting with prefix, with their type.");
        group.MapGet("/listeners", ListenersAsync).WithSummary("Which StatsD and Graphite ports listen, per node, with line and bad-line counts.");
        return app;
    }

    private static async Task<Results<PooledJson<MetricSeriesResult>, ProblemHttpResult>> SeriesAsync(
        MetricQueries queries, TimeProvider clock, string? name, string? from, string? to, string? step, string? fn, string? groupBy,
        string? type, CancellationToken ct)
    {
        var input = ParseQuery(clock, name, from, to, step, fn, groupBy, type);
        if (!input.TryGet(out var query, out var refusal))
        {
            return refusal.ToProblem();
        }
        return (await queries.SeriesAsync(query, ct)).ToHttp(MetricSeriesJson.Answer);
    }

    private static async Task<Ok<IReadOnlyList<MetricName>>> NamesAsync(MetricQueries queries, string? prefix, CancellationToken ct) =>
        TypedResults.Ok(await queries.NamesAsync(prefix, ct));

    private static async Task<Ok<MetricListenersResponse>> ListenersAsync(
        MetricListener listener, MetricFlusher flusher, MetricNodeReporter reporter, CancellationToken ct) =>
        TypedResults.Ok(new MetricListenersResponse(listener.StatsdUdp?.Port, listener.GraphiteTcp?.Port,
            await reporter.ListAsync(flusher.Pending, flusher.DroppedIntervals, ct)));

    internal static Result<MetricSeriesQuery> ParseQuery(
        TimeProvider clock, string? name, string? from, string? to, string? step, string? fn, string? groupBy, string? type)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Refusal.InvalidField("name", "name is required: a metric name or a pattern such as api.*.requests.");
        }
        if (!TryInstant(to, out var end))
        {
            return Refusal.InvalidField("to", "'to' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.");
        }
        if (!TryInstant(from, out var start))
        {
            return Refusal.InvalidField("from", "'from' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.");
        }
        var until = end ?? clock.GetUtcNow();
        TimeSpan? stepValue = null;
        if (!string.IsNullOrWhiteSpace(step))
        {
            if (ParseStep(step) is not { } s)
            {
                return Refusal.InvalidField("step", "step must be a duration such as 10s, 1m, 5m, 1h, 1d, or a number of seconds.");
            }
            stepValue = s;
        }
        MetricKind? kind = null;
        if (!string.IsNullOrWhiteSpace(type))
        {
            kind = MetricKinds.Parse(type);
            if (kind is null)
            {
                return Refusal.InvalidField("type", "type must be counter, gauge, timer or set.");
            }
        }
        return new MetricSeriesQuery(name.Trim(), start ?? until - TimeSpan.FromHours(1), until, stepValue, fn, groupBy, kind);
    }

    internal static TimeSpan? ParseStep(string text)
    {
        text = text.Trim().ToLowerInvariant();
        var unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => (TimeSpan?)null,
        };
        var number = unit is null ? text : text[..^1];
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 10_000_000)
        {
            return null;
        }
        return (unit ?? TimeSpan.FromSeconds(1)) * n;
    }

    /// <summary>An optional ISO 8601 instant (UTC unless it says otherwise); false when given and not one.</summary>
    internal static bool TryInstant(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }
        return false;
    }
}
