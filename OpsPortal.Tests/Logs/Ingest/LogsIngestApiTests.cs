using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

public sealed class LogsIngestApiTests : ApiTestBase
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "apache_combined_elastic.log");

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Logs:MaxUploadBytes"] = "3000000",
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
