using System.Globalization;
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
        // The first page is read before anything is sent, so a bad query still gets a proper 400.
        if (!(await search.SearchAsync(q, from, to, LogRowSearch.MaxLimit, null, ct)).TryGet(out var page, out var refusal))
        {
            return refusal.ToProblem();
        }
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"access-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync(Header);
        var written = 0;
        while (true)
        {
            foreach (var row in page.Rows)
            {
                await writer.WriteLineAsync(Line(row));
            }
            written += page.Rows.Count;
            if (page.Next is null || written >= MaxRows)
            {
                break;
            }
            await writer.FlushAsync(ct);
            // The query was accepted above; a later page could only be refused for a fault, which ends the export.
            page = (await search.SearchAsync(q, from, to, LogRowSearch.MaxLimit, page.Next, ct)).Value;
        }
        return TypedResults.Empty;
    }

    private static string Line(LogRow r) => string.Join(',',
        Cell(r.Date.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)), Cell(r.Ip), Cell(r.RemoteHost), Cell(r.Hostname),
        Cell(r.Username), Cell(r.Method), Cell(r.Path), Cell(r.Protocol), Num(r.Status), Num(r.Size), Cell(r.Referrer), Cell(r.Useragent),
        Num(r.Clienttime), Num(r.Backendtime), Cell(r.Backendip), Num(r.Backendport), Num(r.Backendstatus), Cell(r.SslProtocol),
        Cell(r.SslCipher), Cell(r.Scheme), Num(r.SourceId), Cell(r.RawRequest), Cell(r.Query));

    private static string Num<T>(T? value) where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";

    /// <summary>
    /// Quoted, and a leading = + - @ neutralised: log fields are attacker-controlled, and a
    /// spreadsheet would run a cell starting with = as a formula (CSV injection).
    /// </summary>
    internal static string Cell(string? value)
    {
        if (value is null)
        {
            return "";
        }
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
