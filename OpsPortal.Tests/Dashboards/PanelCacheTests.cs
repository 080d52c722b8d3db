using Npgsql;
using OpsPortal.Core.Dashboards;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Dashboards;

/// <summary>The cache in front of panels: a cold herd costs one query, and markers follow events on every node.</summary>
public sealed class PanelCacheTests : IAsyncLifetime
{
    private static readonly PanelSpec Requests = new() { Title = "Requests", Source = PanelSource.Logs, Query = "", Measure = "rate" };

    private TestDatabase _database = null!;
    private OpsPortalFactory _a = null!;
    private OpsPortalFactory _b = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _a = new OpsPortalFactory(_database);
        _b = new OpsPortalFactory(_database);
        await _a.StartAsync();
        await _b.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task LoadAsync_200ConcurrentColdRequestsOnASlowDatabase_OneDatabaseQuery()
    {
        var data = _a.Services.GetRequiredService<PanelData>();
        var to = DateTimeOffset.UtcNow;
        var from = to.AddHours(-6);

        // The database is "slow": the trend tables are locked, so the one query that reaches them waits in PostgreSQL
        // where it can be counted (pg_stat_activity); queries piling on would each wait there too.
        await using var blocker = new NpgsqlConnection(_database.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("LOCK TABLE access_trend_minute, access_trend_hour, access IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }
        var herd = Enumerable.Range(0, 200).Select(_ => Task.Run(() => data.LoadAsync(Requests, from, to, CancellationToken.None))).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await WaitingOnLockAsync(blocker) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        // Give the other 199 every chance to pile on before counting.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await WaitingOnLockAsync(blocker));
        Assert.All(herd, t => Assert.False(t.IsCompleted));

        await tx.RollbackAsync();
        var results = await Task.WhenAll(herd).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, data.Queries);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.All(results, r => Assert.Same(results[0].Lines[0].Points, r.Lines[0].Points));
        Assert.True(results[0].Lines[0].Points.Count >= 60, $"{results[0].Lines[0].Points.Count} points");
    }

    [Fact]
    public async Task Markers_DeployFinishedOnOneNode_BothNodesCachesInvalidated()
    {
        var to = DateTimeOffset.UtcNow.AddMinutes(5);
        var from = to.AddHours(-1);
        var markersA = _a.Services.GetRequiredService<DashboardMarkers>();
        var markersB = _b.Services.GetRequiredService<DashboardMarkers>();
        Assert.Empty(await markersA.ForRangeAsync(from, to, null, CancellationToken.None));
        Assert.Empty(await markersB.ForRangeAsync(from, to, null, CancellationToken.None));

        // Written by neither app: the event reaches both through the events spine, as one from a third node would.
        await using (var db = _database.CreateContext())
        {
            new EventLog(TimeProvider.System).Append(db, "ann@test", DeployEventKinds.Succeeded, DeployEventKinds.Subject, "41",
                "deploy #41 shop 1.2.3 → production succeeded", "shop", new { Action = "deploy" });
            await db.SaveChangesAsync();
        }

        foreach (var markers in new[] { markersA, markersB })
        {
            IReadOnlyList<PanelMarker> seen = [];
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (seen.Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                seen = await markers.ForRangeAsync(from, to, null, CancellationToken.None);
            }
            var marker = Assert.Single(seen);
            Assert.Equal((PanelMarkerKind.Deploy, "/deploys/41"), (marker.Kind, marker.Href));
        }
    }

    private async Task<long> WaitingOnLockAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("db", _database.Name);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
