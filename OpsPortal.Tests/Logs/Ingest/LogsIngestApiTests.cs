using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

public sealed class LogsIngestApiTests : ApiTestBase
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "apache_combined_elastic.log");

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Logs:MaxUploadBytes"] = "3000000",
        ["OpsPortal:Logs:MaxRejectsPerSourceHour"] = "150",
    };

    private sealed record Ingested(string Source, long Accepted, long Rejected);

    [Fact]
    public async Task RealApacheLog_ThroughApi_MatchesIndependentCounts()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var body = new StreamContent(File.OpenRead(Fixture));
        body.Headers.ContentType = new("text/plain");

        var response = await client.PostAsync("/api/logs?format=combined&host=web1", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<Ingested>();
        Assert.Equal(9_999, result!.Accepted);
        Assert.Equal(1, result.Rejected);
        Assert.Equal("http/combined/web1", result.Source);

        Assert.Equal(9_999L, await ScalarAsync<long>("SELECT count(*) FROM access"));
        Assert.Equal(9_125L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE status = 200"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE status BETWEEN 500 AND 599"));
        Assert.Equal(1_753L, await ScalarAsync<long>("SELECT count(DISTINCT ip) FROM access"));
        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 0), await ScalarAsync<DateTime>("SELECT min(date) FROM access"));
        Assert.Equal(new DateTime(2015, 5, 20, 21, 5, 59), await ScalarAsync<DateTime>("SELECT max(date) FROM access"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE hostname IS DISTINCT FROM 'web1'"));
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM access WHERE size = 0") >= 669);
        // One partition per day of traffic, made on demand.
        Assert.Equal(4L, await ScalarAsync<long>("SELECT count(*) FROM pg_inherits WHERE inhparent = 'access'::regclass"));

        var reject = await ScalarAsync<string>("SELECT reason || ' | ' || raw FROM log_rejects");
        Assert.Contains("Mozilla", reject, StringComparison.Ordinal);
        Assert.Equal("9999/1", await ScalarAsync<string>("SELECT accepted_total || '/' || rejected_total FROM log_sources WHERE name = 'http/combined/web1'"));
    }

    [Fact]
    public async Task GzipBody_IsDecompressed()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            await using var file = File.OpenRead(Fixture);
            await file.CopyToAsync(zip);
        }
        using var body = new ByteArrayContent(gz.ToArray());
        body.Headers.ContentType = new("text/plain");
        body.Headers.ContentEncoding.Add("gzip");

        var result = await (await client.PostAsync("/api/logs?format=combined", body)).Content.ReadFromJsonAsync<Ingested>();

        Assert.Equal(9_999, result!.Accepted);
        Assert.Equal(1, result.Rejected);
    }

    [Fact]
    public async Task LastLineWithoutNewline_IsKept()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        var text = $"10.0.0.1 - - [{now}] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl\"\n10.0.0.2 - - [{now}] \"GET /b HTTP/1.1\" 404 - \"-\" \"curl\"";

        var result = await (await client.PostAsync("/api/logs?format=combined&host=h", new StringContent(text, Encoding.UTF8, "text/plain")))
            .Content.ReadFromJsonAsync<Ingested>();

        Assert.Equal(2, result!.Accepted);
        Assert.Equal("/b", await ScalarAsync<string>("SELECT path FROM access WHERE status = 404"));
    }

    /// <summary>Lines as bytes: a NUL, a byte that is not UTF-8, and good lines around them.</summary>
    internal static byte[] NulAndInvalidUtf8Body()
    {
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        string Line(string path, string agent) => $"10.0.0.1 - - [{now}] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"{agent}\"\n";
        return Encoding.Latin1.GetBytes(Line("/before", "curl") + Line("/a\0b", "curl") + Line("/c", "bad\u00FFagent") + Line("/after", "curl"));
    }

    [Fact]
    public async Task Body_WithNulAndInvalidUtf8_EveryLineStoredEscaped()
    {
        // Before: 500 (22021) and none of the four lines stored.
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var body = new ByteArrayContent(NulAndInvalidUtf8Body());
        body.Headers.ContentType = new("text/plain");

        var response = await client.PostAsync("/api/logs?format=combined&host=h", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, (await response.Content.ReadFromJsonAsync<Ingested>())!.Accepted);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE path = '/a\\x00b'"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE useragent = 'bad\\xFFagent'"));
    }

    [Fact]
    public async Task RejectedLineWithNul_StoredEscapedInTheReject()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var body = new ByteArrayContent(Encoding.Latin1.GetBytes("not\0a log line\xFE\n"));
        body.Headers.ContentType = new("text/plain");

        var response = await client.PostAsync("/api/logs?format=combined&host=h", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("not\\x00a log line\\xFE", await ScalarAsync<string>("SELECT raw FROM log_rejects"));
    }

    [Fact]
    public async Task GzipOfAMillionJunkLines_CountedNotStoredAMillionTimes()
    {
        // Before: ~2 KB of gzip stored 1M reject rows (136 MB).
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            var junk = Encoding.ASCII.GetBytes("junk\n");
            for (var i = 0; i < 600_000; i++)
            {
                zip.Write(junk);
            }
        }
        using var body = new ByteArrayContent(gz.ToArray());
        body.Headers.ContentType = new("text/plain");
        body.Headers.ContentEncoding.Add("gzip");

        var result = await (await client.PostAsync("/api/logs?format=combined&host=junk", body)).Content.ReadFromJsonAsync<Ingested>();

        Assert.True(gz.Length < 20_000, $"{gz.Length} bytes of gzip");
        Assert.Equal(600_000, result!.Rejected);
        Assert.Equal(100L, await ScalarAsync<long>("SELECT count(*) FROM log_rejects"));
        Assert.Equal("600000/599900", await ScalarAsync<string>("SELECT rejected_total || '/' || rejects_not_kept FROM log_sources"));

        // The source's hourly allowance (150 here) caps what further requests store.
        for (var i = 0; i < 2; i++)
        {
            await client.PostAsync("/api/logs?format=combined&host=junk", new StringContent(string.Concat(Enumerable.Repeat("junk\n", 80)), Encoding.UTF8, "text/plain"));
        }
        Assert.Equal(150L, await ScalarAsync<long>("SELECT count(*) FROM log_rejects"));
        Assert.Equal("600160/600010", await ScalarAsync<string>("SELECT rejected_total || '/' || rejects_not_kept FROM log_sources"));
    }

    [Fact]
    public async Task OverLongLastLineWithoutNewline_CountedAsAReject()
    {
        // Before: dropped without a trace.
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        var text = $"10.0.0.1 - - [{now}] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl\"\n" + new string('x', 300_000);

        var result = await (await client.PostAsync("/api/logs?format=combined&host=h", new StringContent(text, Encoding.UTF8, "text/plain")))
            .Content.ReadFromJsonAsync<Ingested>();

        Assert.Equal((1, 1), (result!.Accepted, result.Rejected));
        Assert.Equal("line longer than 16384 bytes (300000 bytes)", await ScalarAsync<string>("SELECT reason FROM log_rejects"));
    }

    [Fact]
    public async Task NamedSource_OnlyAnHttpSourceTakesPostedLines()
    {
        await using (var db = Database.CreateContext())
        {
            db.LogSources.Add(new LogSource { Name = "nginx-file", Kind = LogSourceKind.File, Format = "combined", Path = "/var/log/nginx/access.log" });
            db.LogSources.Add(new LogSource { Name = "app-push", Kind = LogSourceKind.Http, Format = "combined" });
            await db.SaveChangesAsync();
        }
        await CreateUserAsync("e@test.local", "Engineer-password-1", Roles.Engineer);
        using var client = await ClientForAsync("e@test.local", "Engineer-password-1");
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        var line = $"10.0.0.1 - - [{now}] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl\"\n";

        var intoFile = await client.PostAsync("/api/logs?source=nginx-file", new StringContent(line, Encoding.UTF8, "text/plain"));
        var intoHttp = await client.PostAsync("/api/logs?source=app-push", new StringContent(line, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Conflict, intoFile.StatusCode);
        Assert.Contains("only HTTP sources take posted lines", await intoFile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, intoHttp.StatusCode);
        Assert.Equal("0/1", await ScalarAsync<string>(
            "SELECT (SELECT accepted_total FROM log_sources WHERE name = 'nginx-file') || '/' || (SELECT accepted_total FROM log_sources WHERE name = 'app-push')"));
    }

    [Fact]
    public async Task OversizeBody_Returns413()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var big = new string('x', 3_100_000);

        var response = await client.PostAsync("/api/logs?format=combined", new StringContent(big, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds 3000000 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GzipBomb_Returns413()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 20; i++)
            {
                await zip.WriteAsync(zeros);
            }
        }
        using var body = new ByteArrayContent(gz.ToArray());
        body.Headers.ContentEncoding.Add("gzip");

        var response = await client.PostAsync("/api/logs?format=combined", body);

        Assert.True(gz.Length < 100_000);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task UnknownFormat_Returns400WithChoices()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.PostAsync("/api/logs?format=apache2", new StringContent("x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("combined, common, vhost_combined, opsportal", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_CannotIngest()
    {
        await CreateUserAsync("v@test.local", "Viewer-password-1", Roles.Viewer);
        using var client = await ClientForAsync("v@test.local", "Viewer-password-1");

        var response = await client.PostAsync("/api/logs?format=combined", new StringContent("x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only constant SQL.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
