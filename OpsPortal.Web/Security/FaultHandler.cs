using Microsoft.AspNetCore.Diagnostics;
using OpsPortal.Core;

namespace OpsPortal.Web.Security;

/// <summary>
/// The one answer of the API to an unexpected exception: a problem with a generic sentence and the
/// trace id that finds the full exception in the server log (the exception-handler middleware has
/// logged it). A database that cannot serve is a 503 with Retry-After; anything else a 500. No
/// exception text, SQL or PostgreSQL message is ever sent.
/// </summary>
internal sealed class FaultHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var unavailable = Faults.IsDatabaseUnavailable(exception);
        http.Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        if (unavailable)
        {
            http.Response.Headers.RetryAfter = "5";
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = http.Response.StatusCode,
                Title = unavailable ? "The database is unavailable" : "Something went wrong on the server",
                Detail = (unavailable ? "Try again in a few seconds." : "It has been logged.") +
                    $" Reference: {http.TraceIdentifier}.",
            },
        });
    }
}
