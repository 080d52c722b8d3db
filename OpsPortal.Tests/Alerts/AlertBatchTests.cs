using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Logs.Rollups;

namespace OpsPortal.Tests.Alerts;

/// <summary>
/// The batched evaluator (ADR-032): a batch of rules claimed, measured together and written in one transaction
/// keeps every rule's round exactly once across nodes, and a batch that rolls back leaves nothing behind.
/// </summary>
public sealed class AlertBatchTests : AlertTestBase
{
    private const string Host = "batch.alerts.test";

    [Fact]
    public async Task FiftyRules_TwoEvaluatorsAtOnce_EachRuleEvaluatedExactlyOncePerRound_SameValuesAsAlone()
    {
        for (var m = 0; m < 4; m++)
        {
            await IngestAsync(Host, m, ok: 15, errors: 5, backendSeconds: 0.2);
        }
        var rules = new List<long>();
        for (var n = 0; n < 50; n++)
        {
            // Shared windows (two window sizes, ratio/count/rate/percentile), a grouped rule and a no-data rule, which run alone.
            object spec = (n % 6) switch
            {
                0 => new { query = "status:5xx", measure = "Ratio", denominator = $"host:{Host}", windowSeconds = 60, critical = 20.0 },
                1 => new { query = $"host:{Host} status:5xx", measure = "Count", windowSeconds = 120, critical = 1000.0 },
                2 => new { query = $"host:{Host}", measure = "Rate", windowSeconds = 60, critical = 1000.0 },
                3 => new { query = $"host:{Host}", measure = "Percentile", field = "backendtime", percentile = 95.0, windowSeconds = 60, critical = 100.0 },
                4 => new { query = "status:5xx", measure = "Count", groupBy = "host", windowSeconds = 60, critical = 1000.0 },
                _ => (object)new { query = $"host:{Host}", windowSeconds = 60 },
            };
            rules.Add(await CreateRatioRuleAsync(Host, $"batch {n}", spec, kind: n % 6 == 5 ? "NoData" : "Threshold"));
        }
        for (var round = 0; round < 2; round++)
        {
            Clock.Now = T0.AddMinutes(2 + round * 0.5);
            var recorded = await Task.WhenAll(Task.Run(() => Scheduler.RunDueAsync("node-a", CancellationToken.None)), Task.Run(() => Scheduler.RunDueAsync("node-b", CancellationToken.None)));
            Assert.Equal(50, recorded.Sum());
        }

        await using var db = Database.CreateContext();
        var samples = await db.AlertSamples.Where(s => rules.Contains(s.RuleId)).ToListAsync();
        foreach (var rule in rules)
        {
            // One sample per round and group: two per rule (the grouped rule has one group, the test's host).
            Assert.Equal(2, samples.Count(s => s.RuleId == rule));
        }
        // The first round, at minute 2: each shared statement gives what the rule gives alone.
        double? At2(long rule) => samples.Single(s => s.RuleId == rule && s.At == T0.AddMinutes(2)).Value;
        Assert.Equal(25.0, At2(rules[0])); // minute 1: 5 of 20 lines are 5xx
        Assert.Equal(10.0, At2(rules[1])); // minutes 0 and 1
        Assert.Equal(20.0, At2(rules[2])); // lines per minute
        Assert.Equal(0.2, At2(rules[3])!.Value, 3);
        var instances = await db.AlertInstances.Where(i => rules.Contains(i.RuleId)).ToListAsync();
        Assert.All(instances, i => Assert.Equal(rules.IndexOf(i.RuleId) % 6 == 0 ? AlertState.Critical : AlertState.Ok, i.HardState));
    }

    [Fact]
    public async Task BatchRolledBackByADatabaseFault_NothingStored_NextRoundEvaluatesAgain_OneNotification()
    {
        for (var m = 0; m < 4; m++)
        {
            await IngestAsync(Host, m, ok: 5, errors: 15);
        }
        await RouteToChannelsAsync();
        var firing = await CreateRatioRuleAsync(Host, "batch firing");
        var quiet = await CreateRatioRuleAsync(Host, "batch quiet", new { query = "host:nobody.batch.test", measure = "Count", windowSeconds = 60, critical = 5.0 });
        await using (var db = Database.CreateContext())
        {
            // A real fault late in the batch's transaction: PostgreSQL refuses the measured series.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE FUNCTION test_refuse_sample() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                CREATE TRIGGER test_refuse_sample BEFORE INSERT ON alert_samples FOR EACH ROW EXECUTE FUNCTION test_refuse_sample();
                """);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => RoundAtAsync(2));

        await using (var db = Database.CreateContext())
        {
            Assert.Empty(await db.AlertInstances.Where(i => i.RuleId == firing || i.RuleId == quiet).ToListAsync());
            Assert.Empty(await EventsAsync(firing, AlertEventKinds.Notified));
            Assert.Empty(await DeliveriesAsync());
            Assert.Equal(0, await db.AlertRules.CountAsync(r => r.LastRunAt != null && (r.Id == firing || r.Id == quiet)));
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_refuse_sample ON alert_samples; DROP FUNCTION test_refuse_sample();");
        }

        // Within the lease (one interval, 10 s) nobody takes the rules; after it, the next round evaluates both again.
        Assert.Equal(0, await RoundAtAsync(2.1));
        Assert.Equal(2, await RoundAtAsync(2.25));
        Assert.Equal(2, await RoundAtAsync(2.5));

        Assert.Equal(AlertState.Critical, (await InstanceAsync(firing)).HardState);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(quiet)).HardState);
        Assert.Single(await EventsAsync(firing, AlertEventKinds.Notified));
        Assert.Single(await EventsAsync(firing, AlertEventKinds.Fired));
        Assert.Equal(2, (await DeliveriesAsync()).Count); // the webhook and the email, once each
    }

    [Fact]
    public async Task Backtest_HostRatioAndP95_ReadTheTrends_SameAnswerAsTheRows_AndSaySo()
    {
        const string host = "trend.alerts.test";
        for (var m = 0; m < 12; m++)
        {
            await IngestAsync(host, m, ok: 10, errors: m is >= 4 and <= 6 ? 10 : 0, backendSeconds: m is >= 4 and <= 6 ? 2.0 : 0.05);
        }
        var spec = new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, critical = 20.0 };
        var before = await PreviewAsync(spec);
        Assert.Equal(MeasureSources.Trends, before.GetProperty("source").GetString()); // not rolled up yet: the trends' frame reads those minutes raw

        await Factory.Services.GetRequiredService<LogRollupJob>().RunAsync(CancellationToken.None);
        await using (var db = Database.CreateContext())
        {
            // The rows go; only the trends still know the burst. A backtest that read the rows would find nothing.
            await db.Database.ExecuteSqlRawAsync("DELETE FROM access WHERE hostname = {0}", host);
        }
        var after = await PreviewAsync(spec);

        Assert.Equal(MeasureSources.Trends, after.GetProperty("source").GetString());
        foreach (var result in new[] { before, after })
        {
            var interval = Assert.Single(result.GetProperty("intervals").EnumerateArray());
            Assert.Equal(T0.AddMinutes(5), interval.GetProperty("from").GetDateTimeOffset());
            Assert.Equal(T0.AddMinutes(8), interval.GetProperty("to").GetDateTimeOffset());
            Assert.Equal(2, result.GetProperty("notifications").GetInt32());
        }

        // A percentile of one host's backend time: the trends' sketches, also without the rows.
        var p95 = await PreviewAsync(new { query = $"host:{host}", measure = "Percentile", field = "backendtime", percentile = 95.0, windowSeconds = 60, critical = 1.0 });
        Assert.Equal(MeasureSources.Trends, p95.GetProperty("source").GetString());
        var slow = Assert.Single(p95.GetProperty("intervals").EnumerateArray());
        Assert.Equal((T0.AddMinutes(5), T0.AddMinutes(8)), (slow.GetProperty("from").GetDateTimeOffset(), slow.GetProperty("to").GetDateTimeOffset()));

        // A query the trends do not hold (a path) falls back to the rows, and says so: they are gone, so nothing fired.
        var raw = await PreviewAsync(new { query = "path:/checkout status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, critical = 20.0 });
        Assert.Equal(MeasureSources.Access, raw.GetProperty("source").GetString());
        Assert.Empty(raw.GetProperty("intervals").EnumerateArray());
    }

    [Fact]
    public async Task MeasureGroupedWindow_ManyRulesAndGroups_SameGroupsAndValuesAsEachRuleAlone()
    {
        var start = T0.AddHours(-1);
        var from = start.UtcDateTime;
        await using (var db = Database.CreateContext())
        {
            // 130 hosts (more than MaxGroups), many with the same number of 5xx lines, so the cut at 100 falls in a tie.
            await db.Database.ExecuteSqlRawAsync("""
                SELECT access_ensure_partition(@at::date);
                INSERT INTO access (date, hostname, ip, method, path, status, backendtime, clienttime)
                SELECT @at + make_interval(secs => n * 2 + h % 7), 'h' || h || CASE WHEN h % 2 = 0 THEN '.Grouped.test' ELSE '.grouped.test' END,
                       ('10.9.' || h % 40 || '.1')::inet, 'GET', '/p' || h % 13, CASE WHEN n % 3 = 0 THEN 503 WHEN n % 5 = 0 THEN 404 ELSE 200 END,
                       CASE WHEN n % 4 = 0 THEN NULL ELSE h * 0.01 + n * 0.001 END, h * 0.02
                FROM generate_series(1, 130) h, generate_series(1, 3 + h % 5 * 3) n
                """, Timestamp("at", start));
        }
        var measurer = Factory.Services.GetRequiredService<AlertMeasurer>();
        AlertRuleSpec[] byHost =
        [
            new() { Query = "status:5xx", Measure = AlertMeasure.Count, GroupBy = "host", WindowSeconds = 300 },
            new() { Query = "status:5xx", Measure = AlertMeasure.Ratio, Denominator = "status:200..599", GroupBy = "host", WindowSeconds = 300 },
            new() { Query = "status:404", Measure = AlertMeasure.Rate, GroupBy = "host", WindowSeconds = 300 },
            new() { Query = "path:/p3", Measure = AlertMeasure.Percentile, Field = "backendtime", Percentile = 95, GroupBy = "host", WindowSeconds = 300 },
            new() { Query = "host:nobody.grouped.test", Measure = AlertMeasure.Count, GroupBy = "host", WindowSeconds = 300 },
        ];
        AlertRuleSpec[] byIp =
        [
            new() { Query = "", Measure = AlertMeasure.Percentile, Field = "clienttime", Percentile = 50, GroupBy = "ip", WindowSeconds = 300 },
            new() { Query = "status:5xx", Measure = AlertMeasure.Ratio, GroupBy = "ip", WindowSeconds = 300 },
        ];

        foreach (var (specs, field) in new[] { (byHost, "host"), (byIp, "ip") })
        {
            var shared = await measurer.MeasureGroupedWindowAsync(specs, field, from, from.AddMinutes(5), CancellationToken.None);
            Assert.Equal(specs.Length, shared.Count);
            for (var i = 0; i < specs.Length; i++)
            {
                var alone = await measurer.MeasureAsync(specs[i], from, from.AddMinutes(5), CancellationToken.None);
                Assert.Equal(alone.OrderBy(m => m.GroupKey, StringComparer.Ordinal), shared[i].OrderBy(m => m.GroupKey, StringComparer.Ordinal));
                Assert.Equal(alone.Select(m => m.Value), shared[i].Select(m => m.Value)); // worst first, as alone
            }
        }
        // The set-up holds: the busiest-host cut applies; a percentile has only the groups its query has lines in.
        Assert.Equal(AlertMeasurer.MaxGroups, (await measurer.MeasureAsync(byHost[0], from, from.AddMinutes(5), CancellationToken.None)).Count);
        Assert.Equal(10, (await measurer.MeasureAsync(byHost[3], from, from.AddMinutes(5), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Backtest_HostFoldedIntoOther_ThoseMinutesReadFromTheRows_BurstFound()
    {
        const string host = "folded.alerts.test";
        for (var m = 0; m < 12; m++)
        {
            await IngestAsync(host, m, ok: 10, errors: m is >= 4 and <= 6 ? 10 : 0, backendSeconds: m is >= 4 and <= 6 ? 2.0 : 0.05);
        }
        await using (var db = Database.CreateContext())
        {
            // In the burst's minutes 100 busier hosts (30 fast 200s each): the trends keep them and fold the
            // test's host (20 lines) into "(other)". The minutes are dirty already (the test's host wrote to them).
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO access (date, hostname, method, path, status, backendtime)
                SELECT @at + make_interval(mins => m, secs => n), 'busy' || h || '.alerts.test', 'GET', '/', 200, 0.01
                FROM generate_series(4, 6) m, generate_series(1, 100) h, generate_series(1, 30) n
                """, Timestamp("at", T0));
        }
        await Factory.Services.GetRequiredService<LogRollupJob>().RunAsync(CancellationToken.None);
        await using (var db = Database.CreateContext())
        {
            // The set-up holds: in the burst's minutes the host has no trend row of its own, "(other)" has one.
            var kept = await db.Database.SqlQueryRaw<int>(
                $"SELECT count(*)::int AS \"Value\" FROM {LogTrendSql.Minutes} WHERE dim = 'host' AND key = @key AND at >= @a AND at < @b",
                new NpgsqlParameter("key", host), Timestamp("a", T0.AddMinutes(4)), Timestamp("b", T0.AddMinutes(7))).SingleAsync();
            var other = await db.Database.SqlQueryRaw<int>(
                $"SELECT count(*)::int AS \"Value\" FROM {LogTrendSql.Minutes} WHERE dim = 'host' AND key = @key AND at >= @a AND at < @b",
                new NpgsqlParameter("key", LogTrendSql.Other), Timestamp("a", T0.AddMinutes(4)), Timestamp("b", T0.AddMinutes(7))).SingleAsync();
            Assert.Equal((0, 3), (kept, other));
        }

        // A trends backtest that skipped the folded minutes would see no lines of the host in the burst, and no alert.
        var ratio = await PreviewAsync(new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, critical = 20.0 });
        var p95 = await PreviewAsync(new { query = $"host:{host}", measure = "Percentile", field = "backendtime", percentile = 95.0, windowSeconds = 60, critical = 1.0 });

        foreach (var result in new[] { ratio, p95 })
        {
            Assert.Equal(MeasureSources.Trends, result.GetProperty("source").GetString());
            var interval = Assert.Single(result.GetProperty("intervals").EnumerateArray());
            Assert.Equal((T0.AddMinutes(5), T0.AddMinutes(8)), (interval.GetProperty("from").GetDateTimeOffset(), interval.GetProperty("to").GetDateTimeOffset()));
        }
        // The folded minutes' values are the host's own, not the busy hosts' of "(other)".
        var peak = ratio.GetProperty("series").EnumerateArray().Where(p => p.GetProperty("value").ValueKind == JsonValueKind.Number).Max(p => p.GetProperty("value").GetDouble());
        Assert.Equal(50.0, peak, 3);
    }

    /// <summary>A parameter for a <c>timestamp without time zone</c> column (the access tables hold UTC).</summary>
    private static NpgsqlParameter Timestamp(string name, DateTimeOffset t) =>
        new(name, NpgsqlDbType.Timestamp) { Value = DateTime.SpecifyKind(t.UtcDateTime, DateTimeKind.Unspecified) };

    private async Task<JsonElement> PreviewAsync(object spec)
    {
        var response = await Client.PostAsJsonAsync("/api/alerts/rules/preview", new
        {
            days = 1,
            rule = new { kind = "Threshold", intervalSeconds = 60, repeatMinutes = 0, spec },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }
}
