using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Logs.Query;
using OpsPortal.Web.Features.Logs.Search;

namespace OpsPortal.Tests.Logs.Search;

/// <summary>
/// What the API's fast path (rows written from the reader into the answer, ADR-046) must still do: the same
/// bytes as the page it replaced (the <see cref="LogPage"/> record serialised with the web defaults), the same
/// CSV as the row-by-row writer it replaced, over rows whose text needs every kind of escaping, across
/// answers larger than one pooled chunk, and problem details for bad input.
/// </summary>
public sealed class LogApiFastPathTests : LogSearchTestBase
{
    // Text a log line can carry: quotes, backslashes, HTML, control characters, non-ASCII, a surrogate pair,
    // a formula, an empty string, and a long path that pushes the answer past one 64 KiB chunk.
    private static readonly string?[] Hostile =
    [
        "/a\"b\\c", "<script>alert('x')</script>&amp;", "tab\there\r\nnewline", "\u0001\u001f\u007f", "ελληνικά 𝄞 \u202E",
        "=HYPERLINK(\"http://x\")", "+1", "-", "@SUM(1)", "", null, "/" + new string('p', 3000), "a,b;c", "emoji 😀 and 'single'",
    ];

    [Fact]
    public async Task Search_FastPath_SameBytesAsTheSerialisedPage()
    {
        using var client = await SeedAsync();
        await InsertHostileRowsAsync(120);
        var search = Factory.Services.GetRequiredService<LogRowSearch>();
        var from = Now.AddHours(-2);
        var to = Now.AddMinutes(1);

        foreach (var (q, limit) in new (string? Q, int Limit)[] { (null, 1000), (null, 7), ("status:5xx", 3), ("-status:2xx", 1000), ("ip:2001:db8::/32", 1000), ("host:nothing", 10) })
        {
            string? after = null;
            var pages = 0;
            do
            {
                var url = $"/api/logs?{Range}&limit={limit}" + (q is null ? "" : $"&q={Uri.EscapeDataString(q)}") + (after is null ? "" : $"&after={after}");
                var response = await client.GetAsync(url);
                var actual = await response.Content.ReadAsByteArrayAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(actual.Length, response.Content.Headers.ContentLength);

                var page = (await search.SearchAsync(q, from, to, limit, after, CancellationToken.None)).Value;
                var expected = JsonSerializer.SerializeToUtf8Bytes(page, JsonSerializerOptions.Web);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{url}: the answer differs from the serialised page\nexpected {Encoding.UTF8.GetString(expected)[..Math.Min(expected.Length, 400)]}\nactual   {Encoding.UTF8.GetString(actual)[..Math.Min(actual.Length, 400)]}");
                after = page.Next;
                pages++;
            }
            while (after is not null && pages < 20);
        }
        // The large page really crossed a chunk of the pooled answer.
        Assert.True((await client.GetByteArrayAsync($"/api/logs?{Range}&limit=1000")).Length > 3 * 64 * 1024);
    }

    [Fact]
    public async Task Export_FastPath_SameCsvAsRowByRow_QuotedAndDefused()
    {
        using var client = await SeedAsync();
        await InsertHostileRowsAsync(40);
        var search = Factory.Services.GetRequiredService<LogRowSearch>();

        var response = await client.GetAsync($"/api/logs/export?{Range}&q={Uri.EscapeDataString("-status:404")}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var expected = new StringBuilder(ExpectedHeader).Append('\n');
        var page = (await search.SearchAsync("-status:404", Now.AddHours(-2), Now.AddMinutes(1), LogRowSearch.MaxLimit, null, CancellationToken.None)).Value;
        Assert.Null(page.Next);
        foreach (var row in page.Rows)
        {
            expected.Append(ExpectedLine(row)).Append('\n');
        }
        Assert.Equal(expected.ToString(), await response.Content.ReadAsStringAsync());
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\"", expected.ToString(), StringComparison.Ordinal);
    }

    private const string ExpectedHeader =
        "date,ip,remote_host,hostname,username,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_protocol,ssl_cipher,scheme,source_id,raw_request,query";

    // The CSV line exactly as the export wrote it before the fast path (from a LogRow, with string.Join).
    private static string ExpectedLine(LogRow r) => string.Join(',',
        Cell(r.Date.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)), Cell(r.Ip),
        Cell(r.RemoteHost), Cell(r.Hostname), Cell(r.Username), Cell(r.Method),
        Cell(r.Path), Cell(r.Protocol), Num(r.Status), Num(r.Size), Cell(r.Referrer),
        Cell(r.Useragent), Num(r.Clienttime), Num(r.Backendtime), Cell(r.Backendip), Num(r.Backendport),
        Num(r.Backendstatus), Cell(r.SslProtocol), Cell(r.SslCipher), Cell(r.Scheme),
        Num(r.SourceId), Cell(r.RawRequest), Cell(r.Query));

    private static string Num<T>(T? value) where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";

    // The export's cell before the fast path: quoted, quotes doubled, a leading = + - @ tab or CR defused.
    private static string Cell(string? value) =>
        value is null ? "" : "\"" + (value is ['=' or '+' or '-' or '@' or '\t' or '\r', ..] ? "'" + value : value).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Rows written straight into the table (the ingest path would reject or clean some of this text).</summary>
    private async Task InsertHostileRowsAsync(int count)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
        for (var i = 0; i < count; i++)
        {
            string? Pick(int k) => Hostile[(i + k) % Hostile.Length];
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO access (date, ip, hostname, username, method, path, protocol, status, size, referrer, useragent,
                                    clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme, remote_host, raw_request, query)
                VALUES ($1, $2::inet, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::inet, $15, $16, $17, $18, $19, $20, $21, $22)
                """, conn);
            object Db(object? v) => v ?? DBNull.Value;
            cmd.Parameters.AddWithValue(DateTime.SpecifyKind(Now.UtcDateTime, DateTimeKind.Unspecified).AddSeconds(-3 * i - 1).AddTicks(i * 1234 % 10_000_000 / 10 * 10));
            cmd.Parameters.AddWithValue(i % 3 == 0 ? "2001:db8::" + (i + 1).ToString("x", CultureInfo.InvariantCulture) : $"10.9.{i % 250}.{i % 7}");
            cmd.Parameters.AddWithValue(Db(Pick(0)));
            cmd.Parameters.AddWithValue(Db(Pick(1)));
            cmd.Parameters.AddWithValue(Db(i % 2 == 0 ? "GET" : Pick(2)));
            cmd.Parameters.AddWithValue(Db(Pick(3)));
            cmd.Parameters.AddWithValue(Db(Pick(4)));
            cmd.Parameters.AddWithValue(Db(i % 5 == 0 ? null : 200 + i % 400));
            cmd.Parameters.AddWithValue(Db(i % 6 == 0 ? null : i * 7919));
            cmd.Parameters.AddWithValue(Db(Pick(5)));
            cmd.Parameters.AddWithValue(Db(Pick(6)));
            cmd.Parameters.AddWithValue(Db(i % 4 == 0 ? null : i / 7.0));
            cmd.Parameters.AddWithValue(Db(i % 3 == 0 ? null : 1e-7 * i + 0.1));
            cmd.Parameters.AddWithValue(Db(i % 4 == 1 ? null : i % 2 == 0 ? "::ffff:10.1.2.3" : "10.1.0.5"));
            cmd.Parameters.AddWithValue(Db(i % 4 == 1 ? null : 8080));
            cmd.Parameters.AddWithValue(Db(i % 4 == 1 ? null : 502));
            cmd.Parameters.AddWithValue(Db(Pick(7)));
            cmd.Parameters.AddWithValue(Db(Pick(8)));
            cmd.Parameters.AddWithValue(Db(i % 2 == 0 ? "https" : null));
            cmd.Parameters.AddWithValue(Db(Pick(9)));
            cmd.Parameters.AddWithValue(Db(Pick(10)));
            cmd.Parameters.AddWithValue(Db(Pick(11)));
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
