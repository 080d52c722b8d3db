using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Metrics;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary><c>GET /api/logs/trends</c>: requests, status classes and latency per step, back a year for all traffic and per host (ADR-025).</summary>
public static class LogsTrendsEndpoint
{
    public static IEndpointRouteBuilder MapLogsTrends(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/logs/trends", TrendsAsync).RequireAuthorization().WithTags("Logs").WithSummary(
            "Requests by status class and p50/p95/p99 backend time per step over [from, to). q empty or host:NAME reads the " +
            "minute/hour trends (13 months); other queries read the access table (its retention). split=host|path gives the top lines; " +
            "percentiles=false leaves out p50/p95/p99 (counts only, much faster over long ranges).");
        return app;
    }

    private static async Task<Results<PooledJson<LogTrendResult>, ProblemHttpResult>> TrendsAsync(
        LogTrends trends, TimeProvider clock, string? q, string? from, string? to, string? step, string? split, string? top, string? percentiles,
        CancellationToken ct)
    {
        if (!MetricsEndpoints.TryInstant(to, out var end) || !MetricsEndpoints.TryInstant(from, out var start))
        {
            return Refusal.InvalidField("from", "'from' and 'to' must be ISO 8601 instants such as 2026-11-26T10:00:00Z.").ToProblem();
        }
        TimeSpan? stepValue = null;
        if (!string.IsNullOrWhiteSpace(step))
        {
            if (MetricsEndpoints.ParseStep(step) is not { } s)
            {
                return Refusal.InvalidField("step", "step must be a duration such as 1m, 5m, 1h, 1d, or a number of seconds.").ToProblem();
            }
            stepValue = s;
        }
        var count = 10;
        if (!string.IsNullOrWhiteSpace(top) && !int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out count))
        {
            return Refusal.InvalidField("top", "top must be a whole number.").ToProblem();
        }
        if (percentiles is not (null or "" or "true" or "false"))
        {
            return Refusal.InvalidField("percentiles", "percentiles must be true or false.").ToProblem();
        }
        var until = end ?? clock.GetUtcNow();
        var result = await trends.SeriesAsync(new LogTrendQuery(q, start ?? until - TimeSpan.FromHours(24), until, stepValue, split, count,
            percentiles != "false"), ct);
        return result.ToHttp(LogTrendsJson.Answer);
    }
}
