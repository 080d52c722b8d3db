using System.Net;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core;
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
/// The access-log trends (ADR-025): what they answer equals what the access rows say — before and after
/// the rollup job, per host and path group, by minute and by hour — and stays the same after the access
/// rows are dropped by retention, and then again after the minute trends are.
/// </summary>
public sealed class LogTrendTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Hosts = ["shop", "api", "static"];
    private static readonly string[] Paths = ["/api/orders/17", "/api/orders/18?x=1", "/api/cart", "/static/js/app.3f9a.js", "/", "/users/42/profile"];
    private static readonly int[] Statuses = [200, 200, 200, 201, 304, 404, 500, 503];
    private readonly FixedClock _clock = new(new DateTimeOffset(Start));
    private readonly List<AccessRecord> _rows = [];
    private TestDatabase _db = null!;
    private ServiceProvider _sp = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _sp = Node();
    }

    public async Task DisposeAsync()
    {
        await _sp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private ServiceProvider Node()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(_db.ConnectionString);
        services.AddLogs();
        services.Configure<LogsOptions>(o => o.RetentionDays = 7);
        services.AddSingleton<TimeProvider>(_clock);
        return services.BuildServiceProvider();
    }

    private LogTrends Trends => _sp.GetRequiredService<LogTrends>();

    /// <summary>Two hours of traffic, 3–30 requests a minute, some without a backend time.</summary>
    private async Task SeedAsync()
    {
        var random = new Random(9);
        for (var minute = 0; minute < 120; minute++)
        {
            for (var i = 3 + random.Next(28); i > 0; i--)
            {
                _rows.Add(new AccessRecord
                {
                    Ip = IPAddress.Parse("10.0.0.1"),
                    Date = Start.AddMinutes(minute).AddMilliseconds(random.Next(60_000)),
                    Hostname = Hosts[random.Next(Hosts.Length)],
                    Method = "GET",
                    Path = Paths[random.Next(Paths.Length)],
                    Protocol = "HTTP/1.1",
                    Status = Statuses[random.Next(Statuses.Length)],
                    Size = 10,
                    BackendTime = i % 5 == 0 ? null : Math.Round(0.001 + random.NextDouble() * random.NextDouble() * 2, 3),
                });
            }
        }
        _rows.Sort((a, b) => a.Date.CompareTo(b.Date));
        var writer = _sp.GetRequiredService<AccessWriter>();
        foreach (var chunk in _rows.Chunk(500))
        {
            await writer.WriteAsync(1, chunk, chunk.Length, [], null, default);
        }
        _clock.Now = new DateTimeOffset(Start.AddHours(2).AddMinutes(5));
    }

    private async Task<LogTrendResult> SeriesAsync(string? query, string step, string? split = null, bool percentiles = true)
    {
        var result = await Trends.SeriesAsync(new LogTrendQuery(query, new DateTimeOffset(Start), new DateTimeOffset(Start.AddHours(2)),
            OpsPortal.Web.Features.Metrics.MetricsEndpoints.ParseStep(step), split, Percentiles: percentiles), default);
        Assert.True(result.Succeeded, result.Refusal?.Message);
        return result.Value;
    }

    /// <summary>The value at rank q·(N − 1), which the sketch's percentile is within 1 % of.</summary>
    private static double Rank(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Floor(q * (sorted.Length - 1))];
    }

    private void AssertMatchesRows(LogTrendLine line, Func<AccessRecord, bool> which, TimeSpan step)
    {
        foreach (var p in line.Points)
        {
            var rows = _rows.Where(r => r.Date >= p.T.UtcDateTime && r.Date < p.T.UtcDateTime + step && which(r)).ToList();
            Assert.Equal(rows.Count, p.Requests);
            Assert.Equal(rows.Count(r => r.Status is >= 500 and <= 599), p.Status5xx);
            Assert.Equal(rows.Count(r => r.Status is >= 200 and <= 299), p.Status2xx);
            var timed = rows.Where(r => r.BackendTime is not null).Select(r => r.BackendTime!.Value).ToList();
            if (timed.Count == 0)
            {
                Assert.Null(p.P95);
                continue;
            }
            var exact = Rank(timed, 0.95);
            Assert.True(Math.Abs(p.P95!.Value - exact) <= exact * Sketch.RelativeAccuracy + 1e-9, $"{p.T:HH:mm} p95 {p.P95} vs {exact}");
        }
    }

    [Fact]
    public async Task AllTraffic_ByMinuteAndHour_BeforeAndAfterRollup_EqualTheRows()
    {
        await SeedAsync();

        for (var round = 0; round < 2; round++)
        {
            var minutes = await SeriesAsync(null, "1m");
            var fiveMinutes = await SeriesAsync(null, "5m");
            var hours = await SeriesAsync(null, "1h");
            Assert.Equal(("minute", "minute", "hour"), (minutes.Source, fiveMinutes.Source, hours.Source));
            AssertMatchesRows(minutes.Lines.Single(), _ => true, TimeSpan.FromMinutes(1));
            AssertMatchesRows(fiveMinutes.Lines.Single(), _ => true, TimeSpan.FromMinutes(5));
            AssertMatchesRows(hours.Lines.Single(), _ => true, TimeSpan.FromHours(1));
            Assert.Equal(120, minutes.Lines.Single().Points.Count);
            Assert.Equal(120, await _sp.GetRequiredService<LogRollupJob>().RunAsync(default) + round * 120);
        }
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM access_rollup_dirty"));
    }

    [Fact]
    public async Task OneHost_AndSplitByHostAndPathGroup_EqualTheRows()
    {
        await SeedAsync();
        await _sp.GetRequiredService<LogRollupJob>().RunAsync(default);

        var shop = await SeriesAsync("host:shop", "10m");
        var byHost = await SeriesAsync(null, "1h", split: "host");
        var byPath = await SeriesAsync(null, "30m", split: "path");

        AssertMatchesRows(shop.Lines.Single(), r => r.Hostname == "shop", TimeSpan.FromMinutes(10));
        Assert.Equal(Hosts.Order(), byHost.Lines.Select(l => l.Key).Order());
        foreach (var line in byHost.Lines)
        {
            AssertMatchesRows(line, r => r.Hostname == line.Key, TimeSpan.FromHours(1));
        }
        Assert.Equal(["/", "/api/cart", "/api/orders", "/static/js", "/users"], byPath.Lines.Select(l => l.Key).Order(StringComparer.Ordinal));
        AssertMatchesRows(byPath.Lines.Single(l => l.Key == "/api/orders"), r => r.Path!.StartsWith("/api/orders/", StringComparison.Ordinal),
            TimeSpan.FromMinutes(30));
    }

    [Fact]
    public async Task SplitByHost_WithoutPercentiles_SameCountsBeforeAndAfterRollup_NoPercentiles()
    {
        await SeedAsync();

        for (var round = 0; round < 2; round++)
        {
            foreach (var step in new[] { "1h", "30m", "1m" })
            {
                var counts = await SeriesAsync(null, step, split: "host", percentiles: false);
                var full = await SeriesAsync(null, step, split: "host");
                Assert.Equal(full.Lines.Select(l => l.Key), counts.Lines.Select(l => l.Key));
                Assert.Equal(full.Lines.SelectMany(l => l.Points.Select(p => (p.T, p.Requests, p.Status2xx, p.Status4xx, p.Status5xx))),
                    counts.Lines.SelectMany(l => l.Points.Select(p => (p.T, p.Requests, p.Status2xx, p.Status4xx, p.Status5xx))));
                Assert.Contains(full.Lines.SelectMany(l => l.Points), p => p.P95 is not null);
                Assert.All(counts.Lines.SelectMany(l => l.Points), p => Assert.Equal((null, null, null), (p.P50, p.P95, p.P99)));
                foreach (var line in counts.Lines)
                {
                    Assert.Equal(_rows.Count(r => r.Hostname == line.Key), line.Points.Sum(p => p.Requests));
                }
            }
            // Round 0 reads the access rows (no minute rolled up yet), round 1 the trend tables.
            await _sp.GetRequiredService<LogRollupJob>().RunAsync(default);
        }
    }

    /// <summary>
    /// A percentile split picks its top keys from the counts alone and then reads only those keys' rows:
    /// the lines are the busiest hosts (ties by name) and each equals that host asked for alone — counts and
    /// the same merged percentiles — in a range that cuts minutes and hours, before the rollup (access rows),
    /// after it (trend tables) and with minutes marked again by late rows (both at once).
    /// </summary>
    [Fact]
    public async Task SplitByHost_WithPercentiles_TopHostsOnly_EachEqualsThatHostAlone_BeforeAfterAndAcrossRollup()
    {
        await SeedAsync();
        var from = new DateTimeOffset(Start.AddMinutes(17).AddSeconds(30));
        var to = new DateTimeOffset(Start.AddMinutes(103));
        async Task<LogTrendResult> Ask(string? query, string step, string? split = null, int top = 10)
        {
            var result = await Trends.SeriesAsync(new LogTrendQuery(query, from, to,
                OpsPortal.Web.Features.Metrics.MetricsEndpoints.ParseStep(step), split, top), default);
            Assert.True(result.Succeeded, result.Refusal?.Message);
            return result.Value;
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var (step, span) in new[] { ("10m", TimeSpan.FromMinutes(10)), ("1h", TimeSpan.FromHours(1)), ("1m", TimeSpan.FromMinutes(1)) })
            {
                var split = await Ask(null, step, "host", top: 2);
                var first = split.From.UtcDateTime;
                var end = first + span * Math.Ceiling((to.UtcDateTime - first) / span);
                var busiest = _rows.Where(r => r.Date >= first && r.Date < end)
                    .GroupBy(r => r.Hostname!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Take(2).Select(g => g.Key);
                Assert.Equal(busiest, split.Lines.Select(l => l.Key));
                foreach (var line in split.Lines)
                {
                    var alone = (await Ask($"host:{line.Key}", step)).Lines.Single();
                    Assert.Equal(alone.Points, line.Points);
                    AssertMatchesRows(line, r => r.Hostname == line.Key, span);
                    Assert.Contains(line.Points, p => p.P95 is not null);
                }
            }
            if (round == 0)
            {
                Assert.Equal(120, await _sp.GetRequiredService<LogRollupJob>().RunAsync(default));
            }
            else if (round == 1)
            {
                // Late rows for minutes already rolled up: those minutes are read from the access rows again.
                var late = Enumerable.Range(0, 40).Select(i => new AccessRecord
                {
                    Ip = IPAddress.Parse("10.0.0.2"),
                    Date = Start.AddMinutes(30 + i % 3).AddSeconds(i),
                    Hostname = Hosts[i % 2 == 0 ? 2 : 0],
                    Method = "GET",
                    Path = "/api/cart",
                    Protocol = "HTTP/1.1",
                    Status = 200,
                    Size = 10,
                    BackendTime = 0.5 + i / 100.0,
                }).ToArray();
                _rows.AddRange(late);
                await _sp.GetRequiredService<AccessWriter>().WriteAsync(1, late, late.Length, [], null, default);
                Assert.True(await ScalarAsync("SELECT count(*) FROM access_rollup_dirty") > 0);
            }
        }

        // A range with no traffic at all: no lines, not an error.
        from = new DateTimeOffset(Start.AddHours(-5));
        to = new DateTimeOffset(Start.AddHours(-4));
        Assert.Empty((await Ask(null, "10m", "host", top: 2)).Lines);
    }

    [Fact]
    public async Task FilteredQuery_ReadFromAccess_WithinItsRetention_RefusedBeyond()
    {
        await SeedAsync();

        var errors = await SeriesAsync("status:5xx", "1h");
        _clock.Now = new DateTimeOffset(Start.AddDays(10));
        var later = await Trends.SeriesAsync(new LogTrendQuery("status:5xx", new DateTimeOffset(Start), new DateTimeOffset(Start.AddHours(2))), default);

        Assert.Equal("access", errors.Source);
        Assert.Equal(_rows.Count(r => r.Status >= 500), errors.Lines.Single().Points.Sum(p => p.Requests));
        Assert.False(later.Succeeded);
        Assert.Equal(RefusalKind.Unprocessable, later.Refusal.Kind);
    }

    [Fact]
    public async Task RetentionDrops_AccessThenMinuteTrends_TotalsUnchanged()
    {
        await SeedAsync();
        await _sp.GetRequiredService<LogRollupJob>().RunAsync(default);
        var before = await SeriesAsync(null, "1m");

        // 10 days on: the access day is past the 7-day retention and dropped; minute trends remain.
        _clock.Now = new DateTimeOffset(Start.AddDays(10));
        var first = await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);
        Assert.Contains(DateOnly.FromDateTime(Start), first.Dropped);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM access"));
        var fromMinutes = await SeriesAsync(null, "1m");
        Assert.Equal(before.Lines.Single().Points, fromMinutes.Lines.Single().Points);

        // 40 days on: the minute trends are gone too; hours answer, with the same totals.
        _clock.Now = new DateTimeOffset(Start.AddDays(40));
        var second = await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);
        Assert.Contains("access_trend_minute_p20261120", second.TrendsDropped!);
        var fromHours = await SeriesAsync(null, "1m");
        Assert.Equal(("hour", 3600), (fromHours.Source, fromHours.StepSeconds));
        Assert.Equal(_rows.Count, fromHours.Lines.Single().Points.Sum(p => p.Requests));
        Assert.Equal(before.Lines.Single().Points.Take(60).Sum(p => p.Status5xx), fromHours.Lines.Single().Points[0].Status5xx);
    }

    [Fact]
    public async Task AccessDay_WithMinutesNotRolledUp_KeptPastRetention_UntilTheyAre()
    {
        await SeedAsync();

        _clock.Now = new DateTimeOffset(Start.AddDays(10));
        var kept = await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);
        await _sp.GetRequiredService<LogRollupJob>().RunAsync(default);
        var dropped = await _sp.GetRequiredService<LogMaintenanceJob>().RunAsync(default);

        Assert.Contains(DateOnly.FromDateTime(Start), kept.WaitingForRollup!);
        Assert.DoesNotContain(DateOnly.FromDateTime(Start), kept.Dropped);
        Assert.Contains(DateOnly.FromDateTime(Start), dropped.Dropped);
        Assert.Equal(_rows.Count, (await SeriesAsync(null, "1h")).Lines.Single().Points.Sum(p => p.Requests));
    }

    [Fact]
    public async Task RollupJob_TwoNodesAtOnce_NothingCountedTwice()
    {
        await SeedAsync();
        await using var other = Node();

        await Task.WhenAll(
            _sp.GetRequiredService<LogRollupJob>().RunAsync(default),
            other.GetRequiredService<LogRollupJob>().RunAsync(default),
            _sp.GetRequiredService<LogRollupJob>().RunAsync(default));

        Assert.Equal(_rows.Count, await ScalarAsync("SELECT sum(requests) FROM access_trend_minute WHERE dim = ''"));
        Assert.Equal(_rows.Count, await ScalarAsync("SELECT sum(requests) FROM access_trend_hour WHERE dim = 'host'"));
        Assert.Equal(_rows.Count, await ScalarAsync("SELECT sum(requests) FROM access_trend_hour WHERE dim = 'path'"));
    }

    [Theory]
    [InlineData("/api/orders/123?x=1", "/api/orders")]
    [InlineData("/api/v1/orders/5", "/api/v1")]
    [InlineData("/static/js/app.3f9a.js", "/static/js")]
    [InlineData("/users/42/profile", "/users")]
    [InlineData("/item/550e8400-e29b-41d4-a716-446655440000", "/item")]
    [InlineData("/index.html", "/")]
    [InlineData("/", "/")]
    [InlineData("/healthz", "/healthz")]
    public async Task PathGroup_UpToTwoSegments_CutAtIdsAndFiles(string path, string group)
    {
        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT access_path_group($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = path });

        Assert.Equal(group, await cmd.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(null, "", "")]
    [InlineData("", "", "")]
    [InlineData("host:shop", "host", "shop")]
    [InlineData("hostname:api", "host", "api")]
    public void Selector_AnsweredByTrends(string? query, string dim, string key)
    {
        Assert.Equal((dim, key), LogTrends.Selector(query));
    }

    [Theory]
    [InlineData("status:5xx")]
    [InlineData("host:shop status:500")]
    [InlineData("host:sh*")]
    [InlineData("-host:shop")]
    [InlineData("(((")]
    public void Selector_OtherQueries_ReadTheAccessTable(string query)
    {
        Assert.Null(LogTrends.Selector(query));
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
}
