using Microsoft.AspNetCore.Diagnostics;

namespace OpsPortal.Web.Security;

/// <summary>
/// The last answer of the API to an unexpected exception: a 500 problem with a generic sentence and the
/// trace id that finds the full exception in the server log (the exception-handler middleware has
/// logged it). A database that cannot serve never gets here: <c>DatabaseFaultHandler</c>, registered
/// first, answers it 503 with Retry-After. No exception text, SQL or PostgreSQL message is ever sent.
/// </summary>
internal sealed class FaultHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = http.Response.StatusCode,
                Title = "Something went wrong on the server",
                Detail = $"It has been logged. Reference: {http.TraceIdentifier}.",
            },
        });
    }
}
