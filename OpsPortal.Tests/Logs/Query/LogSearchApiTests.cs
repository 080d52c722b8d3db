using System.Net;
using System.Text.Json;
using OpsPortal.Core.Auth;

namespace OpsPortal.Tests.Logs.Query;

public sealed class LogSearchApiTests : LogSearchTestBase
{
    // Each query beside the SQL a person would write for it.
    private static readonly (string Query, string Sql)[] Cases =
    [
        ("status:5xx", "status BETWEEN 500 AND 599"),
        ("status:>=400", "status >= 400"),
        ("status:404", "status = 404"),
        ("status:500..503", "status >= 500 AND status <= 503"),
        ("-status:2xx", "status IS NULL OR status NOT BETWEEN 200 AND 299"),
        ("path:/api/*", "path ILIKE '/api/%'"),
        ("ip:10.0.0.0/8", "ip << '10.0.0.0/8'"),
        ("ip:10.0.0.3", "ip = '10.0.0.3'"),
        ("ip:2001:db8::/32", "family(ip) = 6"),
        ("host:web1", "hostname = 'web1'"),
        ("method:POST", "method = 'POST'"),
        ("ua:*bot*", "useragent ILIKE '%bot%'"),
        ("backendtime:>0.5", "backendtime > 0.5"),
        ("clienttime:<=0.3", "clienttime <= 0.3"),
        ("size:>1000", "size > 1000"),
        ("ssl_protocol:TLSv1.2", "ssl_protocol = 'TLSv1.2'"),
        ("(status:500 OR status:502)", "status IN (500, 502)"),
        ("timeout", "path ILIKE '%timeout%' OR query ILIKE '%timeout%'"),
        ("query:q=*", "query LIKE 'q=%'"),
        ("path:/search?q=timeout", "path = '/search' AND query = 'q=timeout'"),
        ("\"100%_off\"", "strpos(path, '100%_off') > 0"),
        ("-backendstatus:5xx", "backendstatus IS NULL OR backendstatus NOT BETWEEN 500 AND 599"),
        ("backendip:10.1.0.0/16 status:4xx", "backendip << '10.1.0.0/16' AND status BETWEEN 400 AND 499"),
        ("user:alice OR referrer:*google*", "username = 'alice' OR referrer LIKE '%google%'"),
        ("raw_request:*\\x16*", "strpos(raw_request, '\\x16') > 0"),
        ("-(host:web1 OR host:web2)", "hostname NOT IN ('web1', 'web2') OR hostname IS NULL"),
        ("scheme:https method:GET -path:/static/*", "scheme = 'https' AND method = 'GET' AND (path NOT LIKE '/static/%' OR path IS NULL)"),
        ("-path:/api/*", "path IS NULL OR path NOT ILIKE '/api/%'"),
        ("-timeout -ua:curl*", "(path IS NULL OR path NOT ILIKE '%timeout%') AND (query IS NULL OR query NOT ILIKE '%timeout%') AND useragent NOT ILIKE 'curl%'"),
        ("method:GET OR raw_request:*", "method = 'GET' OR raw_request IS NOT NULL"),
        ("date:>=" + DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            "date >= '" + DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "'"),
        ("backendport:8080 ustatus:<500", "backendport = 8080 AND backendstatus < 500"),
    ];

    [Fact]
    public async Task Search_QueryTable_MatchesHandWrittenSql()
    {
        using var client = await SeedAsync();
        var failures = new List<string>();

        foreach (var (query, sql) in Cases)
        {
            var expected = await IdsAsync(sql);
            var page = await GetJsonAsync(client, $"/api/logs?q={Uri.EscapeDataString(query)}&{Range}&limit=1000");
            var actual = page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList();
            if (expected.Count == 0 || expected.Count == LineCount || !expected.SequenceEqual(actual))
            {
                failures.Add($"{query}: expected [{string.Join(',', expected)}] got [{string.Join(',', actual)}]");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Search_KeysetPaging_ReturnsEveryRowOnceNewestFirst()
    {
        using var client = await SeedAsync();
        var seen = new List<long>();
        string? after = null;
        var pages = 0;

        do
        {
            var url = $"/api/logs?{Range}&limit=5" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var page = await GetJsonAsync(client, url);
            seen.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 50);

        Assert.Equal(await IdsAsync("true"), seen);
        Assert.Equal((LineCount + 4) / 5, pages);
    }

    [Fact]
    public async Task Search_Rows_CarryEveryFieldWithUtcTimes()
    {
        using var client = await SeedAsync();

        var page = await GetJsonAsync(client, $"/api/logs?q=backendport:8080&{Range}&limit=1");
        var row = page.GetProperty("rows")[0];

        Assert.EndsWith("Z", row.GetProperty("date").GetString(), StringComparison.Ordinal);
        Assert.Equal(8080, row.GetProperty("backendport").GetInt32());
        Assert.StartsWith("10.1.", row.GetProperty("backendip").GetString(), StringComparison.Ordinal);
        Assert.Equal("https", row.GetProperty("scheme").GetString());
        Assert.Equal(JsonValueKind.String, page.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Search_DefaultRange_IsTheLastHour()
    {
        using var client = await SeedAsync();
        // Three hours back may be yesterday's partition (seeded rows lie up to an hour back): make sure each exists.
        await ScalarAsync<bool>("""
            SELECT bool_and(access_ensure_partition(d))
            FROM (SELECT DISTINCT (date - interval '3 hours')::date AS d FROM access WHERE status = 404) days
            """);
        await ScalarAsync<int>("UPDATE access SET date = date - interval '3 hours' WHERE status = 404 RETURNING 1");

        var page = await GetJsonAsync(client, "/api/logs?q=status:404");

        Assert.Equal(0, page.GetProperty("rows").GetArrayLength());
        Assert.Equal(await IdsAsync("status = 301"), (await GetJsonAsync(client, "/api/logs?q=status:301")).GetProperty("rows")
            .EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList());
    }

    [Theory]
    [InlineData("status", "status::text")]
    [InlineData("host", "hostname")]
    [InlineData("path", "path")]
    [InlineData("ip", "host(ip)")]
    [InlineData("method", "method")]
    [InlineData("ua", "useragent")]
    [InlineData("referrer", "referrer")]
    [InlineData("minute", "to_char(date_trunc('minute', date), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")]
    [InlineData("hour", "to_char(date_trunc('hour', date), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")]
    public async Task Stats_Buckets_MatchGroupBy(string by, string keySql)
    {
        using var client = await SeedAsync();

        var stats = await GetJsonAsync(client, $"/api/logs/stats?{Range}&by={by}&top=1000");

        var actual = stats.GetProperty("buckets").EnumerateArray().ToDictionary(
            b => b.GetProperty("key").GetString() ?? "<null>", b => b.GetProperty("count").GetInt64());
        Assert.Equal(await GroupsAsync(keySql), actual);
        Assert.Equal(LineCount, stats.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Stats_TopAndQuery_CountTheWholeSelection()
    {
        using var client = await SeedAsync();

        var stats = await GetJsonAsync(client, $"/api/logs/stats?q=status:5xx&{Range}&by=path&top=2");

        var buckets = stats.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(2, buckets.Count);
        Assert.Equal((await IdsAsync("status BETWEEN 500 AND 599")).Count, stats.GetProperty("total").GetInt64());
        Assert.True(buckets[0].GetProperty("count").GetInt64() >= buckets[1].GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Stats_NothingMatches_IsZeroWithoutBuckets()
    {
        using var client = await SeedAsync();

        var stats = await GetJsonAsync(client, $"/api/logs/stats?q=status:418&{Range}&by=day");

        Assert.Equal(0, stats.GetProperty("total").GetInt64());
        Assert.Equal(0, stats.GetProperty("buckets").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/logs?q=stauts:5xx", "unknown field 'stauts' at 0; did you mean status?")]
    [InlineData("/api/logs?q=status:5xx%20(host:web1", "unbalanced parenthesis at 11")]
    [InlineData("/api/logs?q=path:/a%00", "the query contains a NUL character at 7")]
    [InlineData("/api/logs/stats?q=size:%3E%3Dlots", "expected a number after 'size:>=' at 5")]
    [InlineData("/api/logs?after=bogus", "'after' is not a cursor returned by a previous page.")]
    [InlineData("/api/logs?from=yesterday", "'from' must be an ISO 8601 instant such as 2026-11-26T10:00:00Z.")]
    [InlineData("/api/logs?from=2026-11-26T10:00:00Z&to=2026-11-26T09:00:00Z", "'from' must be before 'to'.")]
    [InlineData("/api/logs?limit=many", "'limit' must be a whole number.")]
    [InlineData("/api/logs/stats?by=bogus", "Cannot group by 'bogus'.")]
    // The endpoints that write rows straight from the reader (ADR-046) refuse before the first row.
    [InlineData("/api/logs/export?from=2026-11-26T10:00:00Z&to=2026-11-26T09:00:00Z", "'from' must be before 'to'.")]
    [InlineData("/api/logs/export?q=status:5xx%20(host:web1", "unbalanced parenthesis")]
    [InlineData("/api/logs?limit=10&after=AAAAAAAAAAAAAAAAAAAAA!", "'after' is not a cursor returned by a previous page.")]
    [InlineData("/api/logs?q=host:web1%20OR", "")]
    public async Task BadRequest_IsProblemDetailsWithPosition(string url, string detail)
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("rows", out _));
    }

    [Theory]
    [InlineData("'; DROP TABLE access; --", HttpStatusCode.OK)]
    [InlineData("host:\"x' OR '1'='1\"", HttpStatusCode.OK)]
    [InlineData("status:1) OR (1=1", HttpStatusCode.BadRequest)]
    [InlineData("ua:*'||pg_sleep(5)||'*", HttpStatusCode.OK)]
    [InlineData("backendtime:>NaN size:<-2147483648", HttpStatusCode.OK)]
    [InlineData("date:>=0001-01-01T00:00:00Z", HttpStatusCode.OK)]
    [InlineData("ελληνικά 𝄞 \u202E", HttpStatusCode.OK)]
    public async Task HostileQuery_NeverFailsTheServerNorTouchesTheTable(string query, HttpStatusCode status)
    {
        using var client = await SeedAsync();

        var response = await client.GetAsync($"/api/logs?q={Uri.EscapeDataString(query)}&{Range}");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(LineCount, await ScalarAsync<long>("SELECT count(*) FROM access"));
    }

    [Fact]
    public async Task HugeQuery_IsRefusedWithoutAServerError()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var deep = await client.GetAsync("/api/logs?q=" + Uri.EscapeDataString(new string('(', 200) + "a" + new string(')', 200)));
        var long_ = await client.GetAsync("/api/logs/stats?q=" + new string('a', 10_000));

        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, long_.StatusCode);
    }

    [Fact]
    public async Task Viewer_CanSearch_AnonymousCannot()
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");
        using var anonymous = Factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/logs?q=status:5xx")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/logs/stats?by=hour")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/logs?q=status:5xx")).StatusCode);
    }
}
