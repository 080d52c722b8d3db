using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Query;

/// <summary>
/// Ingests 32 deliberate opsportal-format lines stamped in the last half hour (pairs share a second,
/// so keyset paging must break ties by id), then compares the API with SQL written by hand.
/// </summary>
public abstract class LogSearchTestBase : ApiTestBase
{
    protected const int LineCount = 32;

    private static readonly string[] Ips = ["10.0.0.3", "10.1.2.4", "192.168.1.9", "2001:db8::1", "10.0.0.77", "203.0.113.5"];
    private static readonly string[] Hosts = ["web1", "web2", "api.example.com"];
    private static readonly string[] Users = ["-", "alice", "-", "bob"];
    private static readonly string[] Requests =
    [
        "GET /api/orders HTTP/1.1", "POST /api/orders HTTP/1.1", "GET /static/app.css HTTP/2.0", "GET /login HTTP/1.1",
        "GET /search?q=timeout HTTP/1.1", "GET /100%_off HTTP/1.1", "DELETE /api/users/42 HTTP/1.1", "\\x16\\x03\\x01",
        "PUT /Api/Orders/7 HTTP/1.1", "GET /static/logo.png HTTP/2.0", "GET /api/timeout/retry HTTP/1.1",
    ];
    private static readonly int[] Statuses = [200, 201, 301, 404, 500, 502, 503, 200, 400];
    private static readonly string[] Referrers = ["-", "https://google.com/search", "https://example.com/"];
    private static readonly string[] Agents = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "Googlebot/2.1 (+http://www.google.com/bot.html)", "okhttp/4.12.0"];
    private static readonly string[] Upstreams = ["-", "10.1.0.5:8080", "10.2.0.9:9000", "10.1.7.1:8080"];
    private static readonly string[] Tls = ["-", "TLSv1.2", "TLSv1.3"];

    protected DateTimeOffset Now { get; } = new(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    protected string Range => $"from={Iso(Now.AddHours(-2))}&to={Iso(Now.AddMinutes(1))}";

    protected static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    protected async Task<HttpClient> SeedAsync()
    {
        var client = await ClientForAsync(AdminEmail, AdminPassword);
        var lines = new StringBuilder();
        for (var i = 0; i < LineCount; i++)
        {
            lines.Append(Line(i)).Append('\n');
        }
        var response = await client.PostAsync("/api/logs?format=opsportal", new StringContent(lines.ToString(), Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(LineCount, await ScalarAsync<long>("SELECT count(*) FROM access"));
        return client;
    }

    private string Line(int i)
    {
        var time = Now.AddSeconds(-60 * (i / 2) - 5).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var upstream = Upstreams[i % Upstreams.Length];
        var (urt, ustatus) = upstream == "-" ? ("-", "-") : ((i % 7 * 0.3).ToString("0.000", CultureInfo.InvariantCulture), Statuses[(i + 3) % Statuses.Length].ToString(CultureInfo.InvariantCulture));
        var tls = Tls[i % Tls.Length];
        var cipher = tls == "-" ? "-" : "ECDHE-RSA-AES128-GCM-SHA256";
        var size = i * i * 97 % 5000;
        var rt = (i % 5 * 0.25 + 0.001).ToString("0.000", CultureInfo.InvariantCulture);
        return $"{Ips[i % Ips.Length]} - {Users[i % Users.Length]} [{time}] \"{Requests[i % Requests.Length]}\" {Statuses[i % Statuses.Length]} {size}"
            + $" \"{Referrers[i % Referrers.Length]}\" \"{Agents[i % Agents.Length]}\" host={Hosts[i % Hosts.Length]} scheme={(tls == "-" ? "http" : "https")}"
            + $" rt={rt} urt=\"{urt}\" upstream=\"{upstream}\" ustatus=\"{ustatus}\" tls={tls} cipher={cipher}";
    }

    protected static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    protected async Task<List<long>> IdsAsync(string whereSql)
    {
        var ids = new List<long>();
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand($"SELECT id FROM access WHERE {whereSql} ORDER BY date DESC, id DESC", conn);
#pragma warning restore CA2100
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    protected async Task<Dictionary<string, long>> GroupsAsync(string keySql)
    {
        var groups = new Dictionary<string, long>();
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand($"SELECT coalesce({keySql}, '<null>'), count(*) FROM access GROUP BY 1", conn);
#pragma warning restore CA2100
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups[reader.GetString(0)] = reader.GetInt64(1);
        }
        return groups;
    }

    protected async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
