using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs;

public sealed class LogMaintenanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Today = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;
    private ServiceProvider _sp = null!;
    private readonly FixedClock _clock = new(Today);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(_db.ConnectionString);
        services.AddLogs();
        services.Configure<LogsOptions>(o => o.RetentionDays = 30);
        services.AddSingleton<TimeProvider>(_clock);
        _sp = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _sp.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Run_CreatesPartitionsAhead_DropsExpired_PurgesOldRejects()
    {
        var dataSource = _sp.GetRequiredService<NpgsqlDataSource>();
        await using (var conn = await dataSource.OpenConnectionAsync())
        {
            await AccessTable.EnsurePartitionAsync(conn, new DateOnly(2026, 10, 27), default); // 30 days before today: dropped
            await AccessTable.EnsurePartitionAsync(conn, new DateOnly(2026, 10, 28), default); // oldest kept day
        }
        await using (var db = _db.CreateContext())
        {
            var source = db.LogSources.Add(new LogSource { Name = "s", Format = "combined" }).Entity;
            await db.SaveChangesAsync();
            db.LogRejects.Add(new LogReject { SourceId = source.Id, ReceivedAt = Today.AddDays(-8), Reason = "old", Raw = "x" });
            db.LogRejects.Add(new LogReject { SourceId = source.Id, ReceivedAt = Today.AddDays(-1), Reason = "new", Raw = "y" });
            await db.SaveChangesAsync();
        }

        var result = await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);

        Assert.Equal([new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27), new DateOnly(2026, 11, 28)], result.Created);
        Assert.Equal([new DateOnly(2026, 10, 27)], result.Dropped);
        Assert.Equal(1, result.RejectsPurged);
        await using (var conn = await dataSource.OpenConnectionAsync())
        {
            var days = await AccessTable.ListPartitionsAsync(conn, default);
            Assert.Equal([new DateOnly(2026, 10, 28), new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27), new DateOnly(2026, 11, 28)], days);
        }
        await using var check = _db.CreateContext();
        Assert.Equal("new", (await check.LogRejects.SingleAsync()).Reason);
        Assert.True(await check.Events.AnyAsync(e => e.Kind == "logs.partitions_dropped"));
    }

    [Fact]
    public async Task Run_IndexesPathOfClosedPartitionsOnly_Once()
    {
        var dataSource = _sp.GetRequiredService<NpgsqlDataSource>();
        await using (var conn = await dataSource.OpenConnectionAsync())
        {
            await AccessTable.EnsurePartitionAsync(conn, new DateOnly(2026, 11, 24), default);
            await AccessTable.EnsurePartitionAsync(conn, new DateOnly(2026, 11, 25), default);
        }
        var job = _sp.GetRequiredService<LogMaintenanceJob>();

        var first = await job.RunAsync(default);
        var second = await job.RunAsync(default);

        Assert.Equal([new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 25)], first.PathIndexed);
        Assert.Empty(second.PathIndexed);
        await using var conn2 = await dataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am a ON a.oid = c.relam
            WHERE a.amname = 'gin' AND x.indisvalid AND c.relname LIKE 'access%'
            """, conn2);
        Assert.Equal("access_p20261124_path_trgm,access_p20261125_path_trgm", await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Run_Twice_IsIdempotent()
    {
        var job = _sp.GetRequiredService<LogMaintenanceJob>();
        await job.RunAsync(default);

        var again = await job.RunAsync(default);

        Assert.Empty(again.Created);
        Assert.Empty(again.Dropped);
    }

    [Fact]
    public async Task EnsurePartition_RacedFromManyConnections_CreatesOnce()
    {
        var dataSource = _sp.GetRequiredService<NpgsqlDataSource>();
        var day = new DateOnly(2026, 12, 24);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var conn = await dataSource.OpenConnectionAsync();
            return await AccessTable.EnsurePartitionAsync(conn, day, default);
        }));

        Assert.Equal(1, results.Count(created => created));
    }

    [Theory]
    [InlineData("access_p20261126", 2026, 11, 26)]
    [InlineData("access_p2026112", 0, 0, 0)]
    [InlineData("other_p20261126", 0, 0, 0)]
    public void DayOf_ParsesOnlyPartitionNames(string name, int y, int m, int d) =>
        Assert.Equal(y == 0 ? null : new DateOnly(y, m, d), AccessTable.DayOf(name));
}
