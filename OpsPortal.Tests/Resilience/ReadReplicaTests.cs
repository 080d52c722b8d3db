using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Resilience;

/// <summary>
/// Log reads on a real streaming replica (test.sh starts one: OPSPORTAL_TEST_PG_REPLICA): searches and
/// statistics connect to the replica, writes stay on the primary, and the Logs page shows the lag
/// when it is over a second.
/// </summary>
public sealed class ReadReplicaTests : ApiTestBase
{
    private string? _replica;

    private static string ReplicaServer =>
        Environment.GetEnvironmentVariable("OPSPORTAL_TEST_PG_REPLICA") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "The read-replica tests need a streaming replica of the test server: run ./test.sh (it starts one), or set " +
                "OPSPORTAL_TEST_PG_REPLICA to an admin connection string of a replica of OPSPORTAL_TEST_PG.");

    protected override IReadOnlyDictionary<string, string>? SettingsFor(TestDatabase database)
    {
        _replica = new NpgsqlConnectionStringBuilder(ReplicaServer) { Database = database.Name }.ConnectionString;
        return new Dictionary<string, string> { ["OPSPORTAL_READ_DATABASE"] = _replica };
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The new database reaches the replica when its creation is replayed.
        await WaitAsync(async () =>
        {
            await using var conn = new NpgsqlConnection(_replica);
            await conn.OpenAsync();
            return true;
        }, "the test database on the replica");
    }

    [Fact]
    public async Task LogSearchAndStats_ReadTheReplica_WritesGoToThePrimary()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        // A write: the replica is read-only, so this only works on the primary.
        var posted = await client.PostAsync("/api/logs?format=combined&host=web1", new StringContent(
            "10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /replicated HTTP/1.1\" 200 1 \"-\" \"t\"\n", Encoding.UTF8, "text/plain"));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());

        // It reaches the search once the replica has replayed it.
        const string range = "from=2025-12-31T00:00:00Z&to=2026-01-02T00:00:00Z";
        await WaitAsync(async () => (await client.GetStringAsync($"/api/logs?q=path:/replicated&{range}")).Contains("/replicated", StringComparison.Ordinal),
            "the row in a search");
        var stats = await client.GetFromJsonAsync<JsonElement>($"/api/logs/stats?by=status&{range}");
        Assert.Equal(1, stats.GetProperty("total").GetInt64());

        // The log-read pool's sessions are on the replica, none on the primary.
        Assert.True(await LogReadSessionsAsync(_replica!) > 0, "no log-read session on the replica");
        Assert.Equal(0, await LogReadSessionsAsync(Database.ConnectionString));
    }

    [Fact]
    public async Task ReplicaBehind_LagShownOnTheLogsPage_OnlyOverASecond()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var replica = Factory.Services.GetRequiredService<ReadReplica>();
        await WaitAsync(async () => await replica.LagAsync() is { } lag && lag < ReadReplica.Noticeable, "the replica caught up");
        Assert.DoesNotContain("data-testid=\"replica-lag\"", await client.GetStringAsync("/logs"), StringComparison.Ordinal);

        await ReplayAsync("pause");
        try
        {
            // Something to replay that the replica holds back.
            await using (var conn = new NpgsqlConnection(Database.ConnectionString))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("CREATE TABLE lag_marker (x int); INSERT INTO lag_marker VALUES (1)", conn);
                await cmd.ExecuteNonQueryAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(4));

            var html = await client.GetStringAsync("/logs");

            Assert.Contains("data-testid=\"replica-lag\"", html, StringComparison.Ordinal);
            Assert.Contains("s behind", html, StringComparison.Ordinal);
        }
        finally
        {
            await ReplayAsync("resume");
        }
    }

    private async Task ReplayAsync(string what)
    {
        await using var conn = new NpgsqlConnection(_replica);
        await conn.OpenAsync();
#pragma warning disable CA2100 // One of two constant function names.
        await using var cmd = new NpgsqlCommand($"SELECT pg_wal_replay_{what}()", conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> LogReadSessionsAsync(string server)
    {
        await using var conn = new NpgsqlConnection(server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'opsportal-logs'", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = Database.Name });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
            await Task.Delay(100);
        }
    }
}
