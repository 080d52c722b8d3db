using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using OpsPortal.Core.Logs.Query;
using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>Search and statistics in the query language: readable by every signed-in user (Viewer and up).</summary>
public static class LogsSearchEndpoints
{
    public static IEndpointRouteBuilder MapLogsSearch(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/logs").RequireAuthorization().WithTags("Logs");
        group.MapGet("", SearchAsync)
            .WithSummary("Rows matching q in [from, to), newest first; pass 'next' back as 'after' for the following page.");
        group.MapGet("/stats", StatsAsync)
            .WithSummary("Count of rows matching q and the top buckets by a field, or per minute/hour/day.");
        return app;
    }

    private static Task<Results<Ok<LogPage>, ProblemHttpResult>> SearchAsync(
        LogRowSearch search, string? q, string? from, string? to, string? limit, string? after, CancellationToken ct) =>
        RunAsync(ct, async () => await search.SearchAsync(q, Instant(from, nameof(from)), Instant(to, nameof(to)),
            Number(limit, nameof(limit)), string.IsNullOrEmpty(after) ? null : after, ct));

    private static Task<Results<Ok<LogStats>, ProblemHttpResult>> StatsAsync(
        LogStatistics search, string? q, string? from, string? to, string? by, string? top, CancellationToken ct) =>
        RunAsync(ct, async () => await search.StatsAsync(q, Instant(from, nameof(from)), Instant(to, nameof(to)),
            by, Number(top, nameof(top)), ct));

    private static async Task<Results<Ok<T>, ProblemHttpResult>> RunAsync<T>(CancellationToken ct, Func<Task<T>> run)
    {
        try
        {
            return TypedResults.Ok(await run());
        }
        catch (QueryException ex)
        {
            var problem = TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid query", detail: ex.Message);
            problem.ProblemDetails.Extensions["position"] = ex.Position;
            return problem;
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid parameter",
                detail: ex.Message.Split(" (Parameter", 2)[0]);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && IsTimeout(ex))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Query timed out",
                detail: "The search took too long; narrow the time range or the query.");
        }
    }

    private static bool IsTimeout(Exception ex) =>
        ex is NpgsqlException { InnerException: TimeoutException } or PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

    private static DateTimeOffset? Instant(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new ArgumentException($"'{name}' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.", name);
    }

    private static int? Number(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"'{name}' must be a whole number.", name);
    }
}
