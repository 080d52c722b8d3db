using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Logs.Ingest;

public sealed record IngestResponse(string Source, long Accepted, long Rejected);

public static class LogsIngestEndpoints
{
    public static IEndpointRouteBuilder MapLogsIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/logs", IngestAsync)
            .RequireAuthorization(AuthSetup.EngineerPolicy)
            .WithTags("Logs")
            .WithSummary("Ingest raw access-log lines (text/plain, optionally gzip). Returns accepted and rejected counts.")
            .Accepts<string>("text/plain", "application/gzip");
        return app;
    }

    private static async Task<Results<Ok<IngestResponse>, ProblemHttpResult>> IngestAsync(
        HttpContext http, LogSourceService sources, LogIngestor ingestor, IOptions<LogsOptions> options,
        string? format, string? host, string? source, CancellationToken ct)
    {
        var o = options.Value;
        var (target, error) = await ResolveSourceAsync(sources, format, host, source, ct);
        if (target is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown log format or source", detail: error);
        }
        if (http.Request.ContentLength > o.MaxUploadBytes)
        {
            return TooLarge(o.MaxUploadBytes, null);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = o.MaxUploadBytes;
        }

        var gzip = http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            || http.Request.ContentType?.StartsWith("application/gzip", StringComparison.OrdinalIgnoreCase) == true;
        var progress = new LastValue<IngestResult>();
        try
        {
            await using var body = gzip ? new GZipStream(http.Request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
            // The limit counts decompressed bytes too: a small gzip bomb must not fill the disk.
            await using var limited = new SizeLimitedStream(body ?? http.Request.Body, o.MaxUploadBytes);
            var result = await ingestor.IngestAsync(sources.ContextFor(target), limited, o.BatchSize, o.MaxLineLength, progress, ct);
            return TypedResults.Ok(new IngestResponse(target.Name, result.Accepted, result.Rejected));
        }
        catch (Exception ex) when (ex is SizeLimitedStream.LimitExceededException or BadHttpRequestException { StatusCode: 413 })
        {
            return TooLarge(o.MaxUploadBytes, progress.Value);
        }
        catch (InvalidDataException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad gzip body",
                detail: $"The body is not valid gzip. {Committed(progress.Value)}");
        }
    }

    private static async Task<(LogSource? Source, string? Error)> ResolveSourceAsync(
        LogSourceService sources, string? format, string? host, string? source, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(source))
        {
            var named = await sources.FindAsync(source.Trim(), ct);
            return named is { Enabled: true } ? (named, null) : (null, $"No enabled log source named '{source}'.");
        }
        var preset = string.IsNullOrWhiteSpace(format) ? "combined" : format.Trim();
        if (!LogFormat.PresetNames.Contains(preset))
        {
            return (null, $"Unknown format '{preset}'. Use one of {string.Join(", ", LogFormat.PresetNames)}, " +
                "or define a source with a custom log_format on the Sources page and pass ?source=NAME.");
        }
        return (await sources.GetOrCreateHttpSourceAsync(preset, host, ct), null);
    }

    private static ProblemHttpResult TooLarge(long max, IngestResult? soFar) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
            detail: $"The body exceeds {max} bytes (after decompression); send it in parts. {Committed(soFar)}");

    private static string Committed(IngestResult? soFar) => soFar is null
        ? "Nothing was stored."
        : $"{soFar.Accepted} accepted and {soFar.Rejected} rejected lines before that point were stored.";

    private sealed class LastValue<T> : IProgress<T>
    {
        public T? Value { get; private set; }
        public void Report(T value) => Value = value;
    }
}
