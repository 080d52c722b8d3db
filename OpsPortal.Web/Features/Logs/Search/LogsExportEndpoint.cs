using System.Buffers;
using System.Text;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary><c>GET /api/logs/export</c>: a result set as CSV, streamed page by page so memory stays flat.</summary>
public static class LogsExportEndpoint
{
    public const int MaxRows = 1_000_000;

    private const string Header =
        "date,ip,remote_host,hostname,username,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_protocol,ssl_cipher,scheme,source_id,raw_request,query";

    public static IEndpointRouteBuilder MapLogsExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/logs/export", ExportAsync).RequireAuthorization().RequireRateLimiting(LogStatsRateLimit.Name).WithTags("Logs")
            .WithSummary($"Matching rows as CSV, newest first (at most {MaxRows:N0}).");
        return app;
    }

    private static async Task<IResult> ExportAsync(HttpContext http, LogRowSearch search, TimeProvider clock,
        string? q, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        // Checked before anything is sent, so a bad query still gets a proper 400.
        if (search.Check(q, from, to, null) is { } refusal)
        {
            return refusal.ToProblem();
        }
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"access-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        // Rows are encoded from the reader straight into a pooled buffer, sent a page (1,000 rows) at a time (ADR-046).
        using var buffer = new PooledBuffer();
        buffer.Write(HeaderLine);
        var written = 0;
        string? after = null;
        do
        {
            // The query was accepted above; a later page could only fail with a fault, which ends the export.
            after = (await search.ScanAsync(q, from, to, LogRowSearch.MaxLimit, after, row =>
            {
                LogCsv.Row(buffer, row);
                written++;
            }, ct)).Value;
            await buffer.DrainToAsync(http.Response.Body, ct);
        }
        while (after is not null && written < MaxRows);
        return TypedResults.Empty;
    }

    private static readonly byte[] HeaderLine = Encoding.UTF8.GetBytes(Header + "\n");
}
