using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Resilience;

/// <summary>
/// PostgreSQL stops for longer than every retry interval (15 s; the longest back-off is 10 s) while a
/// file is tailed, live tail listens, a deploy runs and Hangfire works, on a cluster this test owns.
/// After it starts again: the same app answers /health 200 within 5 s, no line is lost or stored
/// twice, live tail delivers, the deploy finishes with all its output, and a job enqueued afterwards runs.
/// </summary>
public sealed class DatabaseOutageTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(15);

    private OwnedPostgres _pg = null!;
    private OpsPortalFactory _app = null!;
    private readonly DeployFixture _deploys = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("opsportal-outage-").FullName;

    public async Task InitializeAsync()
    {
        _pg = await OwnedPostgres.StartAsync();
        var cs = await _pg.CreateDatabaseAsync("outage");
        _deploys.Script("deploy.sh", """
            #!/usr/bin/env bash
            for i in $(seq 1 250); do echo "line $i"; sleep 0.1; done
            """);
        var settings = new Dictionary<string, string>(_deploys.Settings())
        {
            ["OpsPortal:Deploys:StaleAfter"] = "00:00:05",
            ["OpsPortal:Logs:RunIngestion"] = "true",
            ["OpsPortal:Logs:SourceReloadInterval"] = "00:00:01",
            ["OpsPortal:Logs:TailPollInterval"] = "00:00:00.050",
            ["OpsPortal:Logs:AllowedPaths"] = _dir,
        };
        _app = new OpsPortalFactory(TestDatabase.Existing("outage", cs), runJobs: true, settings: settings);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _pg.DisposeAsync();
        _deploys.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task PostgresStopped_LongerThanEveryRetry_EverythingResumes_NothingLostOrDoubled()
    {
        using var client = await AdminClientAsync();
        var source = await AddFileSourceAsync();
        var tailed = new ConcurrentDictionary<string, int>();
        using var tail = _app.Services.GetRequiredService<AccessTailReader>().Subscribe("", batch =>
        {
            foreach (var row in batch.Rows)
            {
                tailed.AddOrUpdate(row.Path ?? "", 1, (_, n) => n + 1);
            }
        }).Value;
        using var writing = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            // 50 lines a second into the tailed file, before, during and after the outage.
            while (!writing.IsCancellationRequested)
            {
                Append(Interlocked.Add(ref written, 5) - 5, 5);
                await Task.Delay(100, CancellationToken.None);
            }
        });
        await WaitUntilAsync(async () => await CountAsync(source) >= 20, "ingestion before the outage", TimeSpan.FromSeconds(60));
        var deploy = await IdOf(await client.PostAsJsonAsync("/api/deploys", new { service = "web", environment = "staging", version = "1.0" }));
        await WaitUntilAsync(async () => (await DeployAsync(client, deploy)).Output.Contains("line 3", StringComparison.Ordinal), "the deploy running", TimeSpan.FromSeconds(60));

        await _pg.StopAsync();
        var down = Stopwatch.StartNew();
        var sawUnhealthy = false;
        var sawFailingLoop = false;
        while (down.Elapsed < Outage)
        {
            using var health = await client.GetAsync("/health");
            sawUnhealthy |= health.StatusCode == HttpStatusCode.ServiceUnavailable && health.Headers.Contains("Retry-After");
            sawFailingLoop |= (await health.Content.ReadAsStringAsync()).Contains("\"ok\":false", StringComparison.Ordinal);
            await Task.Delay(250);
        }
        await _pg.StartAgainAsync();
        var up = Stopwatch.StartNew();
        await WaitUntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health 200", TimeSpan.FromSeconds(30), poll: 100);
        var healthyAfter = up.Elapsed;
        var afterOutage = Volatile.Read(ref written);
        var job = _app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<TokenCleanupJob>(j => j.RunAsync(CancellationToken.None));

        Assert.True(sawUnhealthy, "/health never answered 503 with Retry-After while PostgreSQL was down");
        Assert.True(sawFailingLoop, "no background loop reported a failure while PostgreSQL was down");
        Assert.True(healthyAfter < TimeSpan.FromSeconds(5), $"/health 200 only {healthyAfter.TotalSeconds:F1} s after PostgreSQL was back");
        Assert.False(_app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host is stopping");

        // Live tail delivers lines written after the outage.
        await WaitUntilAsync(() => Task.FromResult(tailed.Keys.Any(p => Number(p) >= afterOutage)), "live tail after the outage", TimeSpan.FromSeconds(60));
        await Task.Delay(2000);
        await writing.CancelAsync();
        await writer;
        var total = Volatile.Read(ref written);

        // Every line exactly once.
        await WaitUntilAsync(async () => await CountAsync(source) >= total, $"{total} rows", TimeSpan.FromSeconds(90));
        await Task.Delay(1500);
        Assert.Equal(total, await CountAsync(source));
        Assert.Equal(total, await ScalarAsync<long>("SELECT count(DISTINCT path) FROM access WHERE source_id = $1", source));

        // The deploy ran on through the outage and kept every line, once, in order.
        await WaitUntilAsync(async () => (await DeployAsync(client, deploy)).Status == "succeeded", "the deploy to succeed", TimeSpan.FromSeconds(90));
        var lines = (await DeployAsync(client, deploy)).Lines;
        Assert.Equal(Enumerable.Range(1, 250).Select(i => $"line {i}"), lines);

        // A job enqueued after the outage runs.
        var monitor = _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await WaitUntilAsync(() => Task.FromResult(monitor.JobDetails(job)?.History.Any(h => h.StateName == "Succeeded") == true), "the Hangfire job", TimeSpan.FromSeconds(90));

        output.WriteLine($"/health 200 after {healthyAfter.TotalSeconds:F1} s; {total} lines ({afterOutage} before the restart), {tailed.Count} seen by live tail; 250 deploy lines");

        // And every loop reports healthy again.
        await WaitUntilAsync(async () => !(await client.GetStringAsync("/health")).Contains("\"ok\":false", StringComparison.Ordinal), "every loop healthy", TimeSpan.FromSeconds(30));
    }

    private async Task<HttpClient> AdminClientAsync()
    {
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserAdminService>().CreateAsync(As.Admin("test"), "admin@test.local", "Admin-password-1", Roles.Admin);
            Assert.True(created.Succeeded, created.Refusal?.Message);
        }
        using var anonymous = _app.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/tokens", new { email = "admin@test.local", password = "Admin-password-1", name = "outage" });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<int> AddFileSourceAsync()
    {
        await using var db = _app.Database.CreateContext();
        var source = db.LogSources.Add(new LogSource
        {
            Name = "outage",
            Kind = LogSourceKind.File,
            Format = "combined",
            Path = Path.Combine(_dir, "access.log"),
            CreatedAt = DateTimeOffset.UtcNow,
        }).Entity;
        await db.SaveChangesAsync();
        return source.Id;
    }

    private void Append(int from, int count)
    {
        var text = new StringBuilder();
        for (var n = from; n < from + count; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"10.0.0.1 - - [{DateTime.UtcNow:dd/MMM/yyyy:HH:mm:ss} +0000] \"GET /o/{n} HTTP/1.1\" 200 {n} \"-\" \"outage-test\"\n");
        }
        using var file = new FileStream(Path.Combine(_dir, "access.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static int Number(string path) => path.StartsWith("/o/", StringComparison.Ordinal) ? int.Parse(path[3..], CultureInfo.InvariantCulture) : -1;

    private Task<long> CountAsync(int source) => ScalarAsync<long>("SELECT count(*) FROM access WHERE source_id = $1", source);

    private async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(_app.Database.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test queries are constants written in the tests.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        foreach (var arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<long> IdOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<(string Status, string Output, List<string> Lines)> DeployAsync(HttpClient client, long id)
    {
        using var response = await client.GetAsync($"/api/deploys/{id}?limit=5000");
        if (!response.IsSuccessStatusCode)
        {
            return ("unknown", "", []);
        }
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var lines = body.GetProperty("output").EnumerateArray().Select(l => l.GetProperty("text").GetString()!).ToList();
        return (body.GetProperty("status").GetString()!, string.Join('\n', lines), lines);
    }

    /// <summary>Database errors on the way (the outage) count as "not yet".</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan patience, int poll = 200)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or InvalidOperationException)
            {
            }
            if (clock.Elapsed > patience)
            {
                Assert.Fail($"Timed out after {patience.TotalSeconds} s waiting for {what}.");
            }
            await Task.Delay(poll);
        }
    }
}
