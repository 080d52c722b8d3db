using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Core.Logs.Storage;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Storage;

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
        services.AddOpsData(_db.AppConnections());
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
    public async Task Run_IndexesPathOfClosedDaysAndTodaysClosedHours_Once()
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

        Assert.Equal([new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 25)], first.PathIndexes.Days);
        // 12:00 now: hours 00–11 of today are closed, 12 is still being written.
        Assert.Equal(Enumerable.Range(0, 12).Select(h => new DateTime(2026, 11, 26, h, 0, 0)), first.PathIndexes.Hours);
        Assert.Empty(second.PathIndexes.Days);
        Assert.Empty(second.PathIndexes.Hours);
        var indexes = await TrigramIndexesAsync();
        Assert.Equal(
            ["access_p20261124_path_trgm", "access_p20261125_path_trgm", .. Enumerable.Range(0, 12).Select(h => $"access_p20261126_h{h:00}_path_trgm")],
            indexes.Keys);
        Assert.EndsWith("USING gin (path gin_trgm_ops, query gin_trgm_ops)", indexes["access_p20261125_path_trgm"], StringComparison.Ordinal);
        Assert.EndsWith(
            "WHERE ((date >= '2026-11-26 11:00:00'::timestamp without time zone) AND (date < '2026-11-26 12:00:00'::timestamp without time zone))",
            indexes["access_p20261126_h11_path_trgm"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AfterMidnight_IndexesTheClosedDay_ThenDropsItsHourlyIndexes()
    {
        var job = _sp.GetRequiredService<LogMaintenanceJob>();
        await job.RunAsync(default);
        Assert.Equal(12, (await TrigramIndexesAsync()).Keys.Count(n => n.StartsWith("access_p20261126_h", StringComparison.Ordinal)));

        _clock.Now = new DateTimeOffset(2026, 11, 27, 1, 1, 0, TimeSpan.Zero);
        var next = await job.RunAsync(default);

        Assert.Equal([new DateOnly(2026, 11, 26)], next.PathIndexes.Days);
        Assert.Equal(12, next.PathIndexes.Dropped);
        Assert.Empty(next.PathIndexes.Quarters);
        Assert.Equal([new DateTime(2026, 11, 27, 0, 0, 0)], next.PathIndexes.Hours);
        Assert.Equal(["access_p20261126_path_trgm", "access_p20261127_h00_path_trgm"], (await TrigramIndexesAsync()).Keys);
    }

    [Fact]
    public async Task Run_IndexesClosedQuartersOfTheCurrentHour_UntilTheHourHasItsOwn()
    {
        var job = _sp.GetRequiredService<LogMaintenanceJob>();
        _clock.Now = Today.AddMinutes(40);

        var first = await job.RunAsync(default);

        Assert.Equal([Today.UtcDateTime, Today.UtcDateTime.AddMinutes(15)], first.PathIndexes.Quarters.Select(q => DateTime.SpecifyKind(q, DateTimeKind.Utc)));
        var indexes = await TrigramIndexesAsync();
        Assert.EndsWith(
            "WHERE ((date >= '2026-11-26 12:15:00'::timestamp without time zone) AND (date < '2026-11-26 12:30:00'::timestamp without time zone))",
            indexes["access_p20261126_h12m15_path_trgm"], StringComparison.Ordinal);

        _clock.Now = Today.AddHours(1).AddMinutes(2);
        var next = await job.RunAsync(default);

        Assert.Equal([new DateTime(2026, 11, 26, 12, 0, 0)], next.PathIndexes.Hours);
        Assert.Empty(next.PathIndexes.Quarters);
        Assert.Equal(2, next.PathIndexes.Dropped);
        indexes = await TrigramIndexesAsync();
        Assert.Contains("access_p20261126_h12_path_trgm", indexes.Keys);
        Assert.DoesNotContain(indexes.Keys, n => n.Contains("m15", StringComparison.Ordinal) || n.Contains("h12m00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RebuildsAnHourlyIndexLeftInvalid()
    {
        var job = _sp.GetRequiredService<LogMaintenanceJob>();
        await job.RunAsync(default);
        // What an interrupted CREATE INDEX CONCURRENTLY leaves behind: the index exists but is not valid.
        await using (var conn = await _sp.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
        {
            await using var cmd = new NpgsqlCommand(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'access_p20261126_h03_path_trgm'::regclass", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var again = await job.RunAsync(default);

        Assert.Equal([new DateTime(2026, 11, 26, 3, 0, 0)], again.PathIndexes.Hours);
        Assert.Contains("access_p20261126_h03_path_trgm", (await TrigramIndexesAsync()).Keys);
    }

    /// <summary>Valid GIN indexes on the access partitions: name → definition.</summary>
    private async Task<SortedDictionary<string, string>> TrigramIndexesAsync()
    {
        await using var conn = await _sp.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x
            JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am a ON a.oid = c.relam
            WHERE a.amname = 'gin' AND x.indisvalid AND x.indrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'access'::regclass)
            """, conn);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }
        return result;
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
