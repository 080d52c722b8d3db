using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Logs;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>
/// Heavy log statistics, limited per user: at most <see cref="LogsOptions.StatsPerUser"/> run at once
/// for one user, <see cref="LogsOptions.StatsQueuePerUser"/> more wait their turn, and the rest get 429
/// with <c>Retry-After</c> at once. One user's script cannot take the log-read pool from everyone else.
/// </summary>
internal sealed class LogStatsRateLimit(IOptions<LogsOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "log-stats";
    private const int RetryAfterSeconds = 2;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, ct) =>
    {
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many log statistics at once",
                Detail = $"You have {options.Value.StatsPerUser} running and {options.Value.StatsQueuePerUser} waiting; try again in {RetryAfterSeconds} s.",
            },
        });
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetConcurrencyLimiter(
            httpContext.User.Identity?.Name ?? httpContext.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = options.Value.StatsPerUser,
                QueueLimit = options.Value.StatsQueuePerUser,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
}
