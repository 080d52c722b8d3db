using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Resilience;

/// <summary>
/// The connection budget: pools sized from configuration, a short wait then 503 + Retry-After when one
/// is exhausted (never 500), statement timeouts on the log-read pool, and heavy log statistics limited
/// per user.
/// </summary>
public sealed class ConnectionBudgetTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Connections:MaxPoolSize"] = "2",
        ["OpsPortal:Connections:ReadMaxPoolSize"] = "2",
        ["OpsPortal:Connections:PoolWait"] = "00:00:01",
        ["OpsPortal:Connections:LogQueryTimeout"] = "00:00:03",
        ["OpsPortal:Logs:StatsPerUser"] = "1",
        ["OpsPortal:Logs:StatsQueuePerUser"] = "0",
    };

    [Fact]
    public async Task RequestPoolExhausted_WaitsBriefly_Then503WithRetryAfter_ThenServesAgain()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var pool = Factory.Services.GetRequiredService<NpgsqlDataSource>();
        var held = new List<NpgsqlConnection>();
        try
        {
            // Every connection of the request pool taken (MaxPoolSize 2).
            held.Add(await pool.OpenConnectionAsync());
            held.Add(await pool.OpenConnectionAsync());
            var watch = System.Diagnostics.Stopwatch.StartNew();

            using var response = await client.GetAsync("/api/tickets");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {watch.Elapsed.TotalMilliseconds:F0} ms: it did not wait for a connection");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("The portal is busy", problem.GetProperty("title").GetString());
            Assert.DoesNotContain("Password", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            foreach (var conn in held)
            {
                await conn.DisposeAsync();
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tickets")).StatusCode);
    }

    [Fact]
    public async Task LogReadPool_StatementPastItsTimeout_IsCancelled_AsABusyFault()
    {
        var logReads = Factory.Services.GetRequiredKeyedService<NpgsqlDataSource>(OpsDataSources.LogReads);
        await using var cmd = logReads.CreateCommand("SELECT pg_sleep(10)");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => cmd.ExecuteScalarAsync());

        Assert.Equal(DatabaseFault.Busy, DatabaseFaults.Classify(ex));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"cancelled only after {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task LogStats_OneUserAtItsLimit_GetsTooManyRequests_OthersStillServed()
    {
        await CreateUserAsync("other@test.local", "Other-password-1", OpsPortal.Core.Auth.Roles.Viewer);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        using var other = await ClientForAsync("other@test.local", "Other-password-1");
        await admin.PostAsync("/api/logs?format=combined&host=web1", new StringContent(
            "10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /a HTTP/1.1\" 200 1 \"-\" \"t\"\n", Encoding.UTF8, "text/plain"));
        const string stats = "/api/logs/stats?by=status&from=2025-12-31T00:00:00Z&to=2026-01-02T00:00:00Z";

        // The log tables locked: the first statistics request of this user waits on them (the lock goes before its 3 s timeout).
        await using var blocker = new NpgsqlConnection(Database.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand(
            "LOCK TABLE access, access_rollup_dirty, access_rollup_minute, access_rollup_hour, access_rollup_value, access_rollup_path IN ACCESS EXCLUSIVE MODE",
            blocker, tx))
        {
            await lockCmd.ExecuteNonQueryAsync();
        }
        var first = admin.GetAsync(stats);
        await Task.Delay(300);

        using var second = await admin.GetAsync(stats);
        var otherUser = other.GetAsync(stats);
        await tx.RollbackAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherUser).StatusCode);
    }

    [Theory]
    [InlineData("53300", DatabaseFault.Busy)]
    [InlineData("57014", DatabaseFault.Busy)]
    [InlineData("57P01", DatabaseFault.Unavailable)]
    [InlineData("57P03", DatabaseFault.Unavailable)]
    [InlineData("23505", null)]
    [InlineData("42P01", null)]
    public void Classify_PostgresErrors_ByState_EvenWrapped(string state, DatabaseFault? expected)
    {
        var pg = new PostgresException("message", "ERROR", "ERROR", state);

        Assert.Equal(expected, DatabaseFaults.Classify(pg));
        // EF Core and Hangfire wrap Npgsql's exceptions.
        Assert.Equal(expected, DatabaseFaults.Classify(new InvalidOperationException("wrapped", pg)));
    }

    [Fact]
    public void Classify_PoolExhaustedAndConnectionRefused()
    {
        Assert.Equal(DatabaseFault.Busy, DatabaseFaults.Classify(
            new NpgsqlException("The connection pool has been exhausted, either raise 'Max Pool Size'", new TimeoutException())));
        Assert.Equal(DatabaseFault.Unavailable, DatabaseFaults.Classify(
            new NpgsqlException("Failed to connect to 127.0.0.1:1", new System.Net.Sockets.SocketException(111))));
        Assert.Null(DatabaseFaults.Classify(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void Budget_Defaults_FitOneNodeDirectly_AndTwoBehindPgbouncer_OnDefaultMaxConnections()
    {
        var defaults = new DatabaseConnections("Host=x");

        // 100 connections, 3 reserved for superusers and 7 more for people and tools (docs/database.md).
        // The jobs pool covers the node's 14 Hangfire workers (each idle one holds a LISTEN clone), so two
        // nodes fit on 100 only with pgbouncer in front of the request and log-read pools.
        Assert.True(defaults.PerNode <= 100 - 10, $"{defaults.PerNode} per node");
        Assert.True(defaults.JobsMaxPoolSize >= 14, "the jobs pool must cover the Hangfire workers (JobsSetup)");
        Assert.True(2 * (defaults.DirectMaxPoolSize + 2 * defaults.JobsMaxPoolSize + 1) <= 100 - 10, "two nodes behind pgbouncer");
    }
}
