using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsPortal.Core.Data.Migrations;
using OpsPortal.Core.Logs.Rollups;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Query;

/// <summary>
/// Issue 21.11 (ADR-044): the path is stored without its query string, which is the <c>query</c> field, so
/// stats, facets, top paths and trends group by the bare path — while the full request stays searchable:
/// free text, and a <c>path:</c> value with a <c>?</c> as saved searches wrote it before the split.
/// </summary>
public sealed class PathAndQueryTests : ApiTestBase
{
    private static readonly string[] Requests =
    [
        "GET /screen?id=17&ts=1001 HTTP/1.1", "GET /screen?id=17&ts=1002 HTTP/1.1", "GET /screen?id=18&ts=1003 HTTP/1.1",
        "GET /screen HTTP/1.1", "GET /api/orders/18?x=1 HTTP/1.1", "GET /ask? HTTP/1.1", "\\x16\\x03\\x01",
    ];

    private readonly DateTime _at = DateTime.UtcNow.AddMinutes(-10);

    private string Range => "from=" + Uri.EscapeDataString(_at.AddHours(-1).ToString("O", CultureInfo.InvariantCulture))
        + "&to=" + Uri.EscapeDataString(DateTime.UtcNow.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture));

    private async Task<HttpClient> SeedAsync()
    {
        var client = await ClientForAsync(AdminEmail, AdminPassword);
        var time = _at.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var lines = string.Join('\n', Requests.Select((r, i) => $"10.0.0.{i} - - [{time}] \"{r}\" 200 10 \"-\" \"t\""));
        using var body = new StringContent(lines, Encoding.UTF8, "text/plain");
        var response = await client.PostAsync("/api/logs?format=combined", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    private async Task<List<string?>> RequestsOfAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/logs?q={Uri.EscapeDataString(query)}&{Range}&limit=100");
        return page.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("path").GetString() is { } path
                ? r.GetProperty("query").GetString() is { } q ? path + "?" + q : path
                : r.GetProperty("rawRequest").GetString())
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<Dictionary<string, long>> StatsAsync(HttpClient client, string by)
    {
        var stats = await client.GetFromJsonAsync<JsonElement>($"/api/logs/stats?by={by}&top=20&{Range}");
        return stats.GetProperty("buckets").EnumerateArray()
            .ToDictionary(b => b.GetProperty("key").GetString() ?? "<null>", b => b.GetProperty("count").GetInt64());
    }

    private async Task<List<(string? Path, string? Query)>> StoredAsync()
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT path, query FROM access ORDER BY id", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string?, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        return rows;
    }

    [Fact]
    public async Task Ingest_RequestWithQueryString_StoresPathAndQueryApart()
    {
        await SeedAsync();

        Assert.Equal(
            [("/screen", "id=17&ts=1001"), ("/screen", "id=17&ts=1002"), ("/screen", "id=18&ts=1003"), ("/screen", null),
             ("/api/orders/18", "x=1"), ("/ask", ""), (null, null)],
            await StoredAsync());
    }

    [Fact]
    public async Task Search_QueryField_MatchesTheQueryString()
    {
        using var client = await SeedAsync();

        Assert.Equal(["/screen?id=17&ts=1001", "/screen?id=17&ts=1002"], await RequestsOfAsync(client, "query:id=17*"));
        Assert.Equal(["/ask?"], await RequestsOfAsync(client, "path:/ask?"));
        Assert.Equal(["/screen"], await RequestsOfAsync(client, "path:/screen -query:*"));
        Assert.Equal(4, (await RequestsOfAsync(client, "path:/screen")).Count);
    }

    [Fact]
    public async Task Search_OldFullRequestSearches_StillFindTheirRows()
    {
        using var client = await SeedAsync();

        // Written when path held the query string: saved searches and alert rules keep finding the same rows.
        Assert.Equal(["/screen?id=17&ts=1002"], await RequestsOfAsync(client, "path:/screen?id=17&ts=1002"));
        Assert.Equal(["/screen?id=17&ts=1001", "/screen?id=17&ts=1002"], await RequestsOfAsync(client, "path:/screen?id=17*"));
        Assert.Equal(["/screen?id=18&ts=1003"], await RequestsOfAsync(client, "url:\"/screen?id=18&ts=1003\""));
        Assert.Equal(["/api/orders/18?x=1"], await RequestsOfAsync(client, "path:/api/*"));
        // Free text: a substring of the path, of the query string, or of both with the ? between them.
        Assert.Equal(["/screen?id=18&ts=1003"], await RequestsOfAsync(client, "ts=1003"));
        Assert.Equal(["/screen?id=18&ts=1003"], await RequestsOfAsync(client, "\"screen?id=18\""));
        Assert.Equal(["/api/orders/18?x=1", "/screen?id=18&ts=1003"], await RequestsOfAsync(client, "18"));
        Assert.Equal(4, (await RequestsOfAsync(client, "-ts=100")).Count);
    }

    [Fact]
    public async Task Stats_ByPath_GroupWithoutTheQueryString_FromRowsAndFromRollups()
    {
        using var client = await SeedAsync();
        var expected = new Dictionary<string, long> { ["/screen"] = 4, ["/api/orders/18"] = 1, ["/ask"] = 1, ["<null>"] = 1 };

        Assert.Equal(expected, await StatsAsync(client, "path"));
        await Factory.Services.GetRequiredService<LogRollupJob>().RunAsync(default);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM access_rollup_dirty"));
        Assert.Equal(expected, await StatsAsync(client, "path"));
        Assert.Equal(["/api/orders/18", "/ask", "/screen"],
            (await ListAsync("SELECT path FROM access_rollup_path WHERE path IS NOT NULL ORDER BY path")));
        var queries = await StatsAsync(client, "query");
        Assert.Equal((1L, 1L, 2L), (queries["id=17&ts=1001"], queries["x=1"], queries["<null>"]));
    }

    [Fact]
    public async Task Trends_SplitByPath_GroupWithoutTheQueryString()
    {
        using var client = await SeedAsync();
        await Factory.Services.GetRequiredService<LogRollupJob>().RunAsync(default);

        var trends = await client.GetFromJsonAsync<JsonElement>($"/api/logs/trends?split=path&step=1h&{Range}");
        var keys = trends.GetProperty("lines").EnumerateArray()
            .ToDictionary(l => l.GetProperty("key").GetString()!, l => l.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));

        Assert.Equal(4, keys["/screen"]);
        Assert.Equal(1, keys["/api/orders"]);
        Assert.DoesNotContain(keys.Keys, k => k.Contains('?', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migration_RowsStoredBeforeTheSplit_AreSplitAndTheirMinutesRolledUpAgain()
    {
        using var client = await SeedAsync();
        await Factory.Services.GetRequiredService<LogRollupJob>().RunAsync(default);
        // Rows as the old ingestion wrote them: the query string inside path, no query.
        await ScalarAsync("WITH u AS (UPDATE access SET path = path || '?' || query, query = NULL WHERE query IS NOT NULL RETURNING 1) SELECT count(*) FROM u");

        await using (var conn = new NpgsqlConnection(Database.ConnectionString))
        {
            await conn.OpenAsync();
            await using var split = new NpgsqlCommand(Ingest5.SplitRows, conn);
            await split.ExecuteNonQueryAsync();
            await split.ExecuteNonQueryAsync(); // a second run (after an interruption) changes nothing
        }

        Assert.Equal(
            [("/screen", "id=17&ts=1001"), ("/screen", "id=17&ts=1002"), ("/screen", "id=18&ts=1003"), ("/screen", null),
             ("/api/orders/18", "x=1"), ("/ask", ""), (null, null)],
            await StoredAsync());
        Assert.Equal(1L, await ScalarAsync("SELECT count(DISTINCT minute) FROM access_rollup_dirty"));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetString(0));
        }
        return list;
    }
}
