using Microsoft.AspNetCore.Diagnostics;
using OpsPortal.Core.Data;

namespace OpsPortal.Web.Api;

/// <summary>
/// The one place where a database that cannot serve right now becomes an answer: 503 with
/// <c>Retry-After</c> and problem details, never a 500. That covers the pool exhausted past its short
/// wait, the server out of connections, a statement past its timeout, and the database down
/// (<see cref="DatabaseFaults"/>). Everything else goes on to the default handler.
/// </summary>
internal sealed partial class DatabaseFaultHandler(IProblemDetailsService problems, ILogger<DatabaseFaultHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (DatabaseFaults.Classify(exception) is not { } fault)
        {
            return false;
        }
        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted)
        {
            // Nobody is listening any more, or half an answer is out: nothing useful can be written.
            return true;
        }
        LogFault(context.Request.Method, context.Request.Path, fault, exception.GetType().Name);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var title = fault == DatabaseFault.Busy ? "The portal is busy" : "The database is not available";
        var detail = fault == DatabaseFault.Busy
            ? $"Every database connection of this node is in use, or the query took too long. Try again in {RetryAfterSeconds} s; a narrower query or time range is faster."
            : $"The portal cannot reach its database right now. Try again in {RetryAfterSeconds} s.";
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = title,
                Detail = detail,
            },
        });
        if (!written)
        {
            // A browser asking for a page: plain words rather than JSON it did not ask for.
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"{title}. {detail}\n", cancellationToken);
        }
        return true;
    }

    // The type only: a database exception's message may name hosts, and never belongs in a client's answer.
    [LoggerMessage(LogLevel.Warning, "{Method} {Path}: answered 503, the database is {Fault} ({Exception})")]
    private partial void LogFault(string method, PathString path, DatabaseFault fault, string exception);
}
