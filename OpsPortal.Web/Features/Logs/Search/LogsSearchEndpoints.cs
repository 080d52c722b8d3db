using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>Search and statistics in the query language: readable by every signed-in user (Viewer and up).</summary>
public static class LogsSearchEndpoints
{
    public static IServiceCollection AddLogsRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o => o.AddPolicy<string, LogStatsRateLimit>(LogStatsRateLimit.Name));

    public static IEndpointRouteBuilder MapLogsSearch(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/logs").RequireAuthorization().WithTags("Logs");
        group.MapGet("", SearchAsync)
            .WithSummary("Rows matching q in [from, to), newest first; pass 'next' back as 'after' for the following page.");
        group.MapGet("/stats", StatsAsync)
            .RequireRateLimiting(LogStatsRateLimit.Name)
            .WithSummary("Count of rows matching q and the top buckets by a field, or per minute/hour/day.");
        return app;
    }

    /// <summary>
    /// Rows go from the reader straight into the answer's JSON (LogPageJson into a PooledJson): no row
    /// objects, no reflection, one write of a known length (ADR-046).
    /// </summary>
    private static async Task<Results<PooledJson<LogPage>, ProblemHttpResult>> SearchAsync(
        LogRowSearch search, string? q, string? from, string? to, string? limit, string? after, CancellationToken ct)
    {
        if (!Instant(from, nameof(from)).TryGet(out var start, out var refusal) || !Instant(to, nameof(to)).TryGet(out var end, out refusal)
            || !Number(limit, nameof(limit)).TryGet(out var size, out refusal))
        {
            return refusal.ToProblem();
        }
        var answer = new PooledJson<LogPage>();
        try
        {
            Result<string?> next;
            // No structure checks per write: LogPageJson always writes the same shape, and LogApiFastPathTests compares its bytes.
            await using (var json = new Utf8JsonWriter(answer.Buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                LogPageJson.Start(json);
                next = await search.ScanAsync(q, start, end, size, string.IsNullOrEmpty(after) ? null : after, row => LogPageJson.Row(json, row), ct);
                if (next.TryGet(out var cursor, out refusal))
                {
                    LogPageJson.End(json, cursor);
                }
            }
            if (refusal is not null)
            {
                answer.Dispose();
                return refusal.ToProblem();
            }
            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    private static async Task<Results<Ok<LogStats>, ProblemHttpResult>> StatsAsync(
        LogStatistics search, string? q, string? from, string? to, string? by, string? top, CancellationToken ct)
    {
        if (!Instant(from, nameof(from)).TryGet(out var start, out var refusal) || !Instant(to, nameof(to)).TryGet(out var end, out refusal)
            || !Number(top, nameof(top)).TryGet(out var count, out refusal))
        {
            return refusal.ToProblem();
        }
        return await RunAsync(() => search.StatsAsync(q, start, end, by, count, ct));
    }

    /// <summary>
    /// The search's answer. A query past its timeout, like every other database fault, is answered
    /// 503 + Retry-After by DatabaseFaultHandler.
    /// </summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> RunAsync<T>(Func<Task<Result<T>>> run) =>
        (await run()).ToHttp(TypedResults.Ok);

    private static Result<DateTimeOffset?> Instant(string? text, string name) =>
        string.IsNullOrWhiteSpace(text) ? (DateTimeOffset?)null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : Refusal.Invalid($"'{name}' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.", "Invalid parameter");

    private static Result<int?> Number(string? text, string name) =>
        string.IsNullOrWhiteSpace(text) ? (int?)null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : Refusal.Invalid($"'{name}' must be a whole number.", "Invalid parameter");
}
