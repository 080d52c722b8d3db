using System.Net;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Rollups;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Logs.Storage;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Rollups;

/// <summary>
/// Searches answered from the per-minute rollups give the access table's answer: each case runs the
/// same search with rollups on and off (ADR-009), on ranges that cut minutes, after late lines.
/// </summary>
public sealed class LogRollupTests : IAsyncLifetime
{
    private static readonly DateTime Noon = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Hosts = ["shop", "api", "static", "admin"];
    private static readonly string[] Methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
    private static readonly int[] Statuses = [200, 200, 200, 200, 304, 404, 500, 503, 200, 201, 302, 100];
    private static readonly string[] Popular = ["/healthz", "/static/app.css", "/api/cart", "/", "/search", "/api/items"];
    private TestDatabase _db = null!;
    private ServiceProvider _sp = null!;
    private Readers _rolled = null!;
    private Readers _raw = null!;

    private sealed record Readers(LogRowSearch Rows, LogStatistics Stats, LogCharts Charts);

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(_db.AppConnections());
        services.AddLogs();
        services.AddSingleton<TimeProvider>(new FixedClock(new DateTimeOffset(Noon)));
        _sp = services.BuildServiceProvider();
        _rolled = new Readers(_sp.GetRequiredService<LogRowSearch>(), _sp.GetRequiredService<LogStatistics>(), _sp.GetRequiredService<LogCharts>());
        var (dataSource, clock) = (_sp.GetRequiredService<NpgsqlDataSource>(), _sp.GetRequiredService<TimeProvider>());
        _raw = new Readers(_rolled.Rows, new LogStatistics(dataSource, clock) { UseRollups = false }, new LogCharts(dataSource, clock) { UseRollups = false });
    }

    public async Task DisposeAsync()
    {
        await _sp.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>10:00–12:00, ~12 lines a minute; three minutes with 300 one-off paths each, so that the
    /// 10:00 hour has more paths than its rollup keeps; a row without a status, host or path.</summary>
    private async Task SeedAsync()
    {
        var rows = new List<AccessRecord>();
        var random = new Random(7);
        for (var minute = 0; minute < 120; minute++)
        {
            var count = 5 + random.Next(15);
            for (var i = 0; i < count; i++)
            {
                var at = Noon.AddHours(-2).AddMinutes(minute).AddMilliseconds(random.Next(60_000));
                rows.Add(Record(at, Popular[random.Next(Popular.Length)], Statuses[random.Next(Statuses.Length)], random));
            }
            if (minute is 30 or 31 or 95)
            {
                for (var i = 0; i < 300; i++)
                {
                    rows.Add(Record(Noon.AddHours(-2).AddMinutes(minute).AddSeconds(i % 60), $"/api/orders/{minute}-{i}", 200, random));
                }
            }
        }
        rows.Add(Record(Noon.AddMinutes(-50), null, null, random, host: null));
        rows.Sort((a, b) => a.Date.CompareTo(b.Date));
        await WriteAsync(rows);
    }

    private async Task WriteAsync(List<AccessRecord> rows)
    {
        var writer = _sp.GetRequiredService<AccessWriter>();
        foreach (var chunk in rows.Chunk(500))
        {
            await writer.WriteAsync(1, chunk, chunk.Length, [], null, default);
        }
    }

    private static AccessRecord Record(DateTime at, string? path, int? status, Random random, string? host = "") => new()
    {
        Ip = IPAddress.Parse("10.0.0.1"),
        Date = at,
        Hostname = host == "" ? Hosts[random.Next(Hosts.Length)] : host,
        Method = path is null ? null : Methods[random.Next(Methods.Length)],
        Path = path,
        RawRequest = path is null ? "\\x16\\x03" : null,
        Protocol = "HTTP/1.1",
        Status = status,
        Size = 10,
    };

    private Task<int> RollUpAsync() => _sp.GetRequiredService<LogRollupJob>().RunAsync(default);

    private async Task AssertSameStatsAsync(string by, DateTime from, DateTime to, int? top = null)
    {
        var expected = await _raw.Stats.StatsAsync(null, from, to, by, top, default).OkAsync();
        var actual = await _rolled.Stats.StatsAsync(null, from, to, by, top, default).OkAsync();
        Assert.True(expected.Total > 0);
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.Buckets, actual.Buckets);
    }

    private async Task AssertSameHistogramAsync(DateTime from, DateTime to)
    {
        var expected = await _raw.Charts.HistogramAsync(null, from, to, default).OkAsync();
        var actual = await _rolled.Charts.HistogramAsync(null, from, to, default).OkAsync();
        Assert.Equal(expected.Bucket, actual.Bucket);
        Assert.Equal(expected.Bars, actual.Bars);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("host")]
    [InlineData("method")]
    [InlineData("path")]
    [InlineData("minute")]
    [InlineData("hour")]
    [InlineData("day")]
    public async Task Stats_EqualTheAccessTable_OnARangeThatCutsMinutes(string by)
    {
        await SeedAsync();
        Assert.Equal(120, await RollUpAsync());

        await AssertSameStatsAsync(by, Noon.AddHours(-2).AddSeconds(17.5), Noon.AddSeconds(-13));
        await AssertSameStatsAsync(by, Noon.AddHours(-3), Noon.AddHours(1), top: 3);
        await AssertSameStatsAsync(by, Noon.AddMinutes(-100), Noon.AddMinutes(-30), top: 1000);
    }

    [Fact]
    public async Task Histogram_EqualsTheAccessTable_WhenBarsCutMinutes()
    {
        await SeedAsync();
        await RollUpAsync();

        await AssertSameHistogramAsync(Noon.AddHours(-2).AddSeconds(17), Noon.AddSeconds(-3)); // 1 min bars from :17
        await AssertSameHistogramAsync(Noon.AddHours(-6).AddSeconds(40), Noon.AddMinutes(-1)); // 5 min bars
        await AssertSameHistogramAsync(Noon.AddDays(-7), Noon); // 3 h bars, minute-aligned
    }

    [Fact]
    public async Task LateLines_ForARolledUpMinute_AreCountedBeforeAndAfterTheNextRollup()
    {
        await SeedAsync();
        await RollUpAsync();
        var from = Noon.AddHours(-2);
        var before = await _rolled.Stats.StatsAsync(null, from, Noon, "status", 20, default).OkAsync();

        var random = new Random(3);
        var late = Enumerable.Range(0, 7).Select(i => Record(Noon.AddHours(-2).AddMinutes(5).AddSeconds(i), "/late", 503, random)).ToList();
        await WriteAsync(late);

        Assert.Equal(1, await ScalarAsync($"SELECT count(DISTINCT minute) FROM access_rollup_dirty"));
        await AssertSameStatsAsync("status", from, Noon);
        await AssertSameStatsAsync("path", from, Noon);
        await AssertSameHistogramAsync(from, Noon);
        Assert.Equal(1, await RollUpAsync());
        await AssertSameStatsAsync("status", from, Noon);
        await AssertSameStatsAsync("path", from, Noon);
        await AssertSameHistogramAsync(from, Noon);
        var after = await _rolled.Stats.StatsAsync(null, from, Noon, "status", 20, default).OkAsync();
        Assert.Equal(before.Total + 7, after.Total);
    }

    [Fact]
    public async Task RolledUpMinutes_AreAnsweredFromTheRollup_AndTheCurrentMinuteIsLeftOpen()
    {
        await SeedAsync();
        var random = new Random(5);
        await WriteAsync([Record(Noon.AddSeconds(5), "/now", 200, random)]);
        await RollUpAsync();
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM access_rollup_dirty"));
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM access_rollup_minute WHERE minute >= '{Noon:yyyy-MM-dd HH:mm}'"));

        // Rows removed behind the rollup's back (never done by the product) show which source answered.
        var total = (await _rolled.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "status", null, default).OkAsync()).Total;
        var paths = await _rolled.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "path", 5, default).OkAsync();
        Assert.Equal(paths, await _raw.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "path", 5, default).OkAsync(), new StatsComparer());
        await ScalarAsync($"WITH d AS (DELETE FROM access WHERE date < '{Noon.AddMinutes(-90):yyyy-MM-dd HH:mm}' RETURNING 1) SELECT count(*) FROM d");
        Assert.Equal(total, (await _rolled.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "status", null, default).OkAsync()).Total);
        Assert.True((await _raw.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "status", null, default).OkAsync()).Total < total);
        Assert.Equal(paths, await _rolled.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "path", 5, default).OkAsync(), new StatsComparer());
        Assert.NotEqual(paths, await _raw.Stats.StatsAsync(null, Noon.AddHours(-2), Noon, "path", 5, default).OkAsync(), new StatsComparer());
        // A filtered query or a short range never uses the rollup.
        Assert.Equal(
            (await _raw.Stats.StatsAsync("status:2xx", Noon.AddHours(-2), Noon, "status", null, default).OkAsync()).Total,
            (await _rolled.Stats.StatsAsync("status:2xx", Noon.AddHours(-2), Noon, "status", null, default).OkAsync()).Total);
        Assert.Equal(
            (await _raw.Stats.StatsAsync(null, Noon.AddHours(-2), Noon.AddMinutes(-70), "status", null, default).OkAsync()).Total,
            (await _rolled.Stats.StatsAsync(null, Noon.AddHours(-2), Noon.AddMinutes(-70), "status", null, default).OkAsync()).Total);
    }

    [Fact]
    public async Task TopPaths_FallBackToTheAccessTable_WhenTheRollupCannotProveThem()
    {
        await SeedAsync();
        await RollUpAsync();
        Assert.Equal(1, await ScalarAsync($"SELECT path_rest_max FROM access_rollup_hour WHERE hour = '{Noon.AddHours(-2):yyyy-MM-dd HH:mm}'"));
        Assert.Equal(0, await ScalarAsync($"SELECT path_rest_max FROM access_rollup_hour WHERE hour = '{Noon.AddHours(-1):yyyy-MM-dd HH:mm}'"));
        Assert.Equal(LogRollupJob.PathsPerHour, await ScalarAsync(
            $"SELECT count(*) FROM access_rollup_path WHERE hour = '{Noon.AddHours(-2):yyyy-MM-dd HH:mm}'"));

        // Top 700 reaches below what the 10:00 hour kept: answered from access, the same.
        await AssertSameStatsAsync("path", Noon.AddHours(-2), Noon, top: 700);
        await AssertSameStatsAsync("path", Noon.AddMinutes(-150), Noon.AddMinutes(-20), top: 5);
    }

    [Theory]
    [InlineData("status:5xx", "status BETWEEN 500 AND 599", false)]
    [InlineData("orders", "path ILIKE '%orders%'", false)]
    [InlineData("orders", "path ILIKE '%orders%'", true)]
    [InlineData("-orders", "(path ILIKE '%orders%') IS NOT TRUE", true)]
    public async Task FilteredSearch_InTimeSlices_PagesThroughEveryRowNewestFirst(string query, string sql, bool hourlyIndexes)
    {
        await SeedAsync();
        if (hourlyIndexes)
        {
            // Today's closed hours get partial trigram indexes (PathIndexes); answers must not change.
            Assert.Equal(12, (await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default)).PathIndexes.Hours.Count);
        }
        var expected = new List<long>();
        await using (var conn = new NpgsqlConnection(_db.ConnectionString))
        {
            await conn.OpenAsync();
#pragma warning disable CA2100 // Test-only SQL written in the test source.
            await using var cmd = new NpgsqlCommand($"SELECT id FROM access WHERE {sql} ORDER BY date DESC, id DESC", conn);
#pragma warning restore CA2100
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                expected.Add(reader.GetInt64(0));
            }
        }

        var actual = new List<long>();
        string? after = null;
        do
        {
            var page = await _rolled.Rows.SearchAsync(query, Noon.AddHours(-3), Noon, 70, after, default).OkAsync();
            actual.AddRange(page.Rows.Select(r => r.Id));
            after = page.Next;
        }
        while (after is not null);

        Assert.True(expected.Count > 140);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("orders", "path ILIKE '%orders%'")]
    [InlineData("orders OR cart", "(path ILIKE '%orders%' OR path ILIKE '%cart%')")]
    [InlineData("status:2xx orders", "status BETWEEN 200 AND 299 AND path ILIKE '%orders%'")]
    public async Task PathQueries_ReadTodayHourByHour_WithTheSameAnswers(string query, string sql)
    {
        // Yesterday 20:00 to today's noon, a line every 7 minutes; today's closed hours get their indexes.
        var random = new Random(11);
        var rows = new List<AccessRecord>();
        for (var at = Noon.AddHours(-16); at < Noon; at = at.AddMinutes(7))
        {
            var record = Record(at, random.Next(3) switch { 0 => $"/api/orders/{random.Next(1000)}", 1 => "/api/cart", _ => "/static/app.css" },
                Statuses[random.Next(Statuses.Length)], random);
            record.BackendTime = random.Next(1000) / 1000.0;
            rows.Add(record);
        }
        await WriteAsync(rows);
        Assert.Equal(12, (await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default)).PathIndexes.Hours.Count);

        foreach (var (from, to) in new[] { (Noon.AddHours(-13).AddMinutes(-30), Noon.AddMinutes(-40)), (Noon.AddMinutes(-530), Noon) })
        {
            var range = $"date >= '{from:yyyy-MM-dd HH:mm:ss}' AND date < '{to:yyyy-MM-dd HH:mm:ss}' AND {sql}";
            var count = await ScalarAsync($"SELECT count(*) FROM access WHERE {range}");
            Assert.True(count > 10);

            var byStatus = await _rolled.Stats.StatsAsync(query, from, to, "status", 100, default).OkAsync();
            Assert.Equal(count, byStatus.Total);
            Assert.Equal(await ScalarAsync($"SELECT count(DISTINCT status) FROM access WHERE {range}"), byStatus.Buckets.Count);
            Assert.Equal(await ScalarAsync($"SELECT count(*) FROM access WHERE {range} AND status = 200"),
                byStatus.Buckets.Single(b => b.Key == "200").Count);
            var byHour = await _rolled.Stats.StatsAsync(query, from, to, "hour", null, default).OkAsync();
            Assert.Equal(await ScalarAsync($"SELECT count(DISTINCT date_trunc('hour', date)) FROM access WHERE {range}"), byHour.Buckets.Count);
            Assert.Equal(count, byHour.Buckets.Sum(b => b.Count));
            Assert.Equal(count, (await _rolled.Charts.HistogramAsync(query, from, to, default).OkAsync()).Bars.Sum(b => b.Total));
            var latency = await _rolled.Charts.LatencyAsync(query, from, to, default).OkAsync();
            Assert.Equal(count, latency.Count);
            Assert.Equal(await ScalarAsync($"SELECT round(1000 * percentile_cont(0.95) WITHIN GROUP (ORDER BY backendtime)) FROM access WHERE {range}"),
                (long)Math.Round(1000 * latency.Backend.P95!.Value));
        }
    }

    [Fact]
    public async Task Retention_DropsTheRollupsOfDroppedDays()
    {
        var random = new Random(9);
        var old = Noon.AddDays(-40);
        await WriteAsync([Record(old, "/old", 200, random), Record(Noon.AddHours(-1), "/new", 200, random)]);
        await RollUpAsync();
        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM access_rollup_minute"));

        await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);

        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM access_rollup_minute"));
        foreach (var table in new[] { "access_rollup_value", "access_rollup_dirty" })
        {
            Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM {table} WHERE minute < '{Noon.AddDays(-30):yyyy-MM-dd}'"));
        }
        foreach (var table in new[] { "access_rollup_hour", "access_rollup_path" })
        {
            Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM {table} WHERE hour < '{Noon.AddDays(-30):yyyy-MM-dd}'"));
            Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM {table} WHERE hour = '{Noon.AddHours(-1):yyyy-MM-dd HH:mm}'"));
        }
    }

    private sealed class StatsComparer : IEqualityComparer<LogStats>
    {
        public bool Equals(LogStats? x, LogStats? y) => x!.Total == y!.Total && x.Buckets.SequenceEqual(y.Buckets);

        public int GetHashCode(LogStats obj) => obj.Total.GetHashCode();
    }
}
