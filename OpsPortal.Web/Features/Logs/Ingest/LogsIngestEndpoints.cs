using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpsPortal.Core;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Logs.Ingest;

public sealed record IngestResponse(string Source, long Accepted, long Rejected);

public static class LogsIngestEndpoints
{
    /// <summary>Set on the answer to a retry that an <c>Idempotency-Key</c> recognised (nothing was stored again).</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IEndpointRouteBuilder MapLogsIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/logs", IngestAsync)
            .RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithTags("Logs")
            .WithSummary("Ingest raw access-log lines (text/plain, optionally gzip), all or nothing. With an Idempotency-Key " +
                "header a retry returns the first answer and stores nothing twice. Returns accepted and rejected counts.")
            .Accepts<string>("text/plain", "application/gzip");
        return app;
    }

    private static async Task<Results<Ok<IngestResponse>, ProblemHttpResult>> IngestAsync(
        HttpContext http, ClaimsPrincipal user, LogSourceService sources, RequestIngestor ingestor, IOptions<LogsOptions> options,
        string? format, string? host, string? source, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken ct)
    {
        var max = options.Value.MaxUploadBytes;
        var target = await sources.ForPostAsync(format, host, source, ct);
        if (!target.TryGet(out var logSource, out var refusal))
        {
            return refusal.ToProblem();
        }
        if (http.Request.ContentLength > max)
        {
            return TooLarge(max);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }
        var gzip = http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            || http.Request.ContentType?.StartsWith("application/gzip", StringComparison.OrdinalIgnoreCase) == true;
        Result<IngestReceipt> result;
        try
        {
            result = await ingestor.IngestAsync(logSource, http.Request.Body, gzip, user.ToActor().Name, idempotencyKey, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(max);
        }
        if (result.Succeeded && result.Value.Replayed)
        {
            http.Response.Headers[ReplayedHeader] = "true";
        }
        return result.ToHttp(r => TypedResults.Ok(new IngestResponse(r.Source, r.Accepted, r.Rejected)));
    }

    private static ProblemHttpResult TooLarge(long max) =>
        Refusal.TooLarge($"The body exceeds {max} bytes (after decompression); send it in parts. Nothing was stored.", "Body too large")
            .ToProblem();
}
