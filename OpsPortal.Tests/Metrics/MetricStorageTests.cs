using System.Globalization;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Ingest;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Metrics;

/// <summary>
/// Raw points, rollups and series queries on a real database: every resolution gives the exact sums that
/// were sent, before and after the rollup job, across two nodes, and across the raw retention drop.
/// </summary>
public sealed class MetricStorageTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);
    private TestDatabase _db = null!;
    private FixedClock _clock = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _clock = new FixedClock(new DateTimeOffset(Start));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static double Total(MetricSeriesResult r) => r.Series.SelectMany(s => s.Points).Sum(p => p.V ?? 0);

    /// <summary>Two hours of a counter sent every 7 s with a varying value; returns the exact sum.</summary>
    private async Task<double> SendCounterForTwoHoursAsync(MetricTestNode node, string name = "shop.orders", int seed = 3)
    {
        var random = new Random(seed);
        double total = 0;
        for (var t = Start; t < Start.AddHours(2); t = t.AddSeconds(7))
        {
            _clock.Now = new DateTimeOffset(t);
            var v = random.Next(1, 20);
            node.Send($"{name}:{v}|c");
            total += v;
            if (t.Second % 10 >= 3)
            {
                await node.FlushAsync(all: false);
            }
        }
        _clock.Now = new DateTimeOffset(Start.AddHours(2).AddSeconds(30));
        await node.FlushAsync();
        return total;
    }

    [Fact]
    public async Task Counter_EveryResolution_BeforeAndAfterRollup_ExactSum()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var total = await SendCounterForTwoHoursAsync(node);
        var to = Start.AddHours(2);

        foreach (var step in new[] { "10s", "1m", "5m", "1h" })
        {
            Assert.Equal(total, Total(await node.SeriesAsync("shop.orders", Start, to, step)));
        }
        var minutes = await node.Rollup.RunAsync(CancellationToken.None);

        Assert.Equal(120, minutes);
        Assert.Equal(0, await node.ScalarAsync("SELECT count(*) FROM metric_rollup_dirty"));
        var raw = await node.SeriesAsync("shop.orders", Start, to, "1m");
        var hourly = await node.SeriesAsync("shop.orders", Start, to, "1h");
        Assert.Equal(("minute", "hour"), (raw.Resolution, hourly.Resolution));
        Assert.Equal(total, Total(raw));
        Assert.Equal(total, Total(hourly));
        Assert.Equal(120, raw.Series.Single().Points.Count);
        Assert.Equal(2, hourly.Series.Single().Points.Count);
    }

    [Fact]
    public async Task LateFlush_ForARolledUpMinute_CountedOnce_ReadFromRawUntilRolledUpAgain()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var total = await SendCounterForTwoHoursAsync(node);
        await node.Rollup.RunAsync(CancellationToken.None);

        // A point for 10:30 arrives late (another node's flush after an outage), as one more interval.
        await using var late = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddMinutes(30));
        late.Send("shop.orders:1000|c");
        _clock.Now = new DateTimeOffset(Start.AddHours(2).AddMinutes(1));
        await late.FlushAsync();

        Assert.Equal(total + 1000, Total(await node.SeriesAsync("shop.orders", Start, Start.AddHours(2), "1h")));
        Assert.Equal(total + 1000, Total(await node.SeriesAsync("shop.orders", Start, Start.AddHours(2), "1m")));
        await node.Rollup.RunAsync(CancellationToken.None);
        Assert.Equal(total + 1000, Total(await node.SeriesAsync("shop.orders", Start, Start.AddHours(2), "1h")));
        Assert.Equal(total + 1000, Total(await node.SeriesAsync("shop.orders", Start, Start.AddHours(2), "1m")));
    }

    [Fact]
    public async Task TwoNodes_CountersAndTimersAdd_GaugesTakeTheLatest()
    {
        await using var a = MetricTestNode.Create(_db, _clock);
        await using var b = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddSeconds(1));
        a.Send("api.hits:3|c\napi.latency:100|ms\napi.latency:300|ms\nqueue.depth:40|g");
        _clock.Now = new DateTimeOffset(Start.AddSeconds(5));
        b.Send("api.hits:4|c\napi.latency:200|ms\nqueue.depth:7|g");
        _clock.Now = new DateTimeOffset(Start.AddSeconds(12));
        a.Send("queue.depth:+1|g");
        _clock.Now = new DateTimeOffset(Start.AddMinutes(2));
        await a.FlushAsync();
        await b.FlushAsync();

        async Task AssertCombinedAsync()
        {
            var to = Start.AddMinutes(1);
            Assert.Equal(7, Total(await a.SeriesAsync("api.hits", Start, to, "1m")));
            Assert.Equal(3, Total(await a.SeriesAsync("api.latency", Start, to, "1m", "count")));
            Assert.Equal(600, Total(await a.SeriesAsync("api.latency", Start, to, "1m", "sum")));
            Assert.Equal(200, Total(await a.SeriesAsync("api.latency", Start, to, "1m", "avg")));
            Assert.Equal(100, Total(await a.SeriesAsync("api.latency", Start, to, "1m", "min")));
            Assert.Equal(300, Total(await a.SeriesAsync("api.latency", Start, to, "1m", "max")));
            Assert.InRange(Total(await a.SeriesAsync("api.latency", Start, to, "1m", "p50")), 198, 202);
            // Node a set 40 at :01 and 41 at :12, node b 7 at :05: the latest is a's 41.
            Assert.Equal(41, Total(await a.SeriesAsync("queue.depth", Start, to, "1m")));
            Assert.Equal(41, Total(await a.SeriesAsync("queue.depth", Start, to, "1h")));
        }

        await AssertCombinedAsync();
        await a.Rollup.RunAsync(CancellationToken.None);
        await AssertCombinedAsync();
        Assert.Equal(2, await a.ScalarAsync("SELECT count(DISTINCT node) FROM metric_points"));
    }

    [Fact]
    public async Task RollupJob_TwoNodesAtOnce_AndAgain_NothingCountedTwice()
    {
        await using var a = MetricTestNode.Create(_db, _clock);
        await using var b = MetricTestNode.Create(_db, _clock);
        var total = await SendCounterForTwoHoursAsync(a);

        var rounds = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? a : b).Rollup.RunAsync(CancellationToken.None)));
        await a.Rollup.RunAsync(CancellationToken.None);
        // A recompute with nothing dirty changes nothing either: mark every minute again and redo them.
        await a.ScalarAsync("INSERT INTO metric_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', at) FROM metric_points RETURNING 1");
        await b.Rollup.RunAsync(CancellationToken.None);

        Assert.Equal(120, rounds.Where(r => r > 0).Sum());
        Assert.Equal(total, await a.ScalarAsync("SELECT sum(sum) FROM metric_rollup_minute"));
        Assert.Equal(total, await a.ScalarAsync("SELECT sum(sum) FROM metric_rollup_hour"));
        Assert.Equal(120, await a.ScalarAsync("SELECT count(*) FROM metric_rollup_minute"));
    }

    [Fact]
    public async Task RetentionDrops_RawThenMinutes_TotalsUnchanged_AtTheFinestResolutionLeft()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var total = await SendCounterForTwoHoursAsync(node);
        _clock.Now = new DateTimeOffset(Start.AddHours(2).AddMinutes(1));
        await node.Rollup.RunAsync(CancellationToken.None);
        var to = Start.AddHours(2);
        var before = await node.SeriesAsync("shop.orders", Start, to, "10s");
        Assert.Equal(("raw", total), (before.Resolution, Total(before)));

        // 10 days on: the raw day is past the 7-day retention and is dropped; minutes answer.
        _clock.Now = new DateTimeOffset(Start.AddDays(10));
        var first = await node.Maintenance.RunAsync(CancellationToken.None);
        Assert.Contains("metric_points_p20261204", first.Dropped);
        Assert.Equal(0, await node.ScalarAsync("SELECT count(*) FROM metric_points"));
        var fromMinutes = await node.SeriesAsync("shop.orders", Start, to, "10s");
        Assert.Equal(("minute", 60, total), (fromMinutes.Resolution, fromMinutes.StepSeconds, Total(fromMinutes)));

        // 40 days on: minutes are gone too; hours answer, with the same total.
        _clock.Now = new DateTimeOffset(Start.AddDays(40));
        var second = await node.Maintenance.RunAsync(CancellationToken.None);
        Assert.Contains("metric_rollup_minute_p20261204", second.Dropped);
        var fromHours = await node.SeriesAsync("shop.orders", Start, to, "1m");
        Assert.Equal(("hour", 3600, total), (fromHours.Resolution, fromHours.StepSeconds, Total(fromHours)));
        Assert.Equal(before.Series[0].Points.Take(360).Sum(p => p.V), fromHours.Series[0].Points[0].V);
    }

    [Fact]
    public async Task RawDay_WithMinutesNotRolledUp_KeptPastRetention_UntilTheyAre()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var total = await SendCounterForTwoHoursAsync(node);

        _clock.Now = new DateTimeOffset(Start.AddDays(10));
        var kept = await node.Maintenance.RunAsync(CancellationToken.None);
        await node.Rollup.RunAsync(CancellationToken.None);
        var dropped = await node.Maintenance.RunAsync(CancellationToken.None);

        Assert.Contains("metric_points_p20261204", kept.Kept);
        Assert.DoesNotContain("metric_points_p20261204", kept.Dropped);
        Assert.Contains("metric_points_p20261204", dropped.Dropped);
        Assert.Equal(total, Total(await node.SeriesAsync("shop.orders", Start, Start.AddHours(2), "1m")));
    }

    [Fact]
    public async Task Write_SameIntervalTwice_WrittenOnce()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddSeconds(1));
        node.Send("hits:5|c");
        _clock.Now = new DateTimeOffset(Start.AddSeconds(11));
        var interval = Assert.Single(node.Ingest.TakeCompleted());

        Assert.True(await node.Writer.WriteAsync(node.Node.Id, interval, CancellationToken.None));
        Assert.False(await node.Writer.WriteAsync(node.Node.Id, interval, CancellationToken.None));
        Assert.Equal(5, await node.ScalarAsync("SELECT sum(sum) FROM metric_points"));
    }

    [Fact]
    public async Task Percentiles_PrecomputedAndMerged_AgreeWithTheSketchOfEveryValue()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var random = new Random(5);
        var all = new Sketch();
        var minuteSketch = new Sketch();
        var values = new List<(DateTime At, double V)>();
        for (var i = 0; i < 3000; i++)
        {
            var t = Start.AddMilliseconds(i * 40);
            _clock.Now = new DateTimeOffset(t);
            var v = Math.Round(Math.Exp(random.NextDouble() * 6), 3);
            node.Send($"checkout.latency:{v.ToString(CultureInfo.InvariantCulture)}|ms");
            all.Add(v);
            values.Add((t, v));
            if (t < Start.AddMinutes(1))
            {
                minuteSketch.Add(v);
            }
        }
        _clock.Now = new DateTimeOffset(Start.AddMinutes(5));
        await node.FlushAsync();
        await node.Rollup.RunAsync(CancellationToken.None);

        var perMinute = await node.SeriesAsync("checkout.latency", Start, Start.AddMinutes(2), "1m", "p95");
        var overTwo = await node.SeriesAsync("checkout.latency", Start, Start.AddMinutes(2), "2m", "p95");
        var p999 = await node.SeriesAsync("checkout.latency", Start, Start.AddMinutes(2), "2m", "p99.9");

        var firstMinute = values.Where(x => x.At < Start.AddMinutes(1)).Select(x => x.V).ToList();
        var (min, max) = (values.Min(x => x.V), values.Max(x => x.V));
        Assert.Equal(minuteSketch.Quantile(0.95, firstMinute.Min(), firstMinute.Max())!.Value, perMinute.Series[0].Points[0].V!.Value, 9);
        Assert.Equal(all.Quantile(0.95, min, max)!.Value, overTwo.Series[0].Points[0].V!.Value, 9);
        Assert.Equal(all.Quantile(0.999, min, max)!.Value, p999.Series[0].Points[0].V!.Value, 9);
    }

    [Fact]
    public async Task SketchFunctions_InSql_SameKeysAndQuantilesAsCSharp()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        var random = new Random(11);
        var values = Enumerable.Range(0, 2000).Select(i => i % 50 == 0 ? -random.NextDouble() * 10 : Math.Exp(random.NextDouble() * 20 - 10)).ToArray();
        values[0] = 0;
        var sketch = new Sketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }
        var (keys, counts) = sketch.ToArrays();

        await using var cmd = node.DataSource.CreateCommand("""
            SELECT array(SELECT metric_sketch_key(v) FROM unnest($1::float8[]) WITH ORDINALITY AS u(v, i) ORDER BY i),
                   metric_sketch_quantiles($2, $3, ARRAY[0, 0.5, 0.9, 0.95, 0.99, 1]::float8[]),
                   array(SELECT metric_sketch_value(k) FROM unnest($2::integer[]) WITH ORDINALITY AS u(k, i) ORDER BY i)
            """);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = values });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = keys });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = counts });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(values.Select(Sketch.KeyOf), reader.GetFieldValue<int[]>(0));
        Assert.Equal(new[] { 0, 0.5, 0.9, 0.95, 0.99, 1 }.Select(q => sketch.Quantile(q)!.Value), reader.GetFieldValue<double[]>(1));
        Assert.Equal(keys.Select(Sketch.ValueOf), reader.GetFieldValue<double[]>(2));
    }

    [Fact]
    public async Task Pattern_GroupBy_NameSegmentOrNone()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddSeconds(1));
        node.Send("web.a.hits:1|c\nweb.b.hits:2|c\nweb.b.errors:5|c\nweb.c.hits:4|c|@0.5");
        _clock.Now = new DateTimeOffset(Start.AddMinutes(1));
        await node.FlushAsync();
        var to = Start.AddMinutes(1);

        var combined = await node.SeriesAsync("web.*.hits", Start, to, "1m");
        var byName = await node.SeriesAsync("web.*.hits", Start, to, "1m", groupBy: "name");
        var bySegment = await node.SeriesAsync("web.*.*", Start, to, "1m", groupBy: "3");
        var none = await node.SeriesAsync("nothing.*", Start, to, "1m");

        Assert.Equal(11, Assert.Single(combined.Series).Points.Single().V);
        Assert.Equal(["web.a.hits", "web.b.hits", "web.c.hits"], byName.Series.Select(s => s.Name));
        Assert.Equal([1.0, 2, 8], byName.Series.Select(s => s.Points.Single().V!.Value));
        Assert.Equal([("errors", 5.0), ("hits", 11.0)], bySegment.Series.Select(s => (s.Name, s.Points.Single().V!.Value)));
        Assert.Empty(none.Series);
    }

    [Fact]
    public async Task Series_Refusals_SayWhatIsWrong()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddSeconds(1));
        node.Send("both:1|c\nboth:5|ms");
        _clock.Now = new DateTimeOffset(Start.AddMinutes(1));
        await node.FlushAsync();

        async Task<string> RefusedAsync(MetricSeriesQuery q)
        {
            var r = await node.Queries.SeriesAsync(q, CancellationToken.None);
            Assert.False(r.Succeeded);
            return r.Refusal.Kind + ": " + r.Refusal.Detail;
        }
        var from = new DateTimeOffset(Start);
        var to = from.AddHours(1);

        Assert.StartsWith("NotFound", await RefusedAsync(new MetricSeriesQuery("missing", from, to)));
        Assert.Contains("counter and timer", await RefusedAsync(new MetricSeriesQuery("both", from, to)));
        Assert.Contains("step", await RefusedAsync(new MetricSeriesQuery("both", from, to, TimeSpan.FromSeconds(15), Kind: MetricKind.Counter)));
        Assert.Contains("more than", await RefusedAsync(new MetricSeriesQuery("both", from, from.AddDays(7), TimeSpan.FromSeconds(10), Kind: MetricKind.Counter)));
        Assert.Contains("name", await RefusedAsync(new MetricSeriesQuery("bad name;drop", from, to)));
        Assert.Contains("before", await RefusedAsync(new MetricSeriesQuery("both", to, from)));
        Assert.True((await node.Queries.SeriesAsync(new MetricSeriesQuery("both", from, to, Kind: MetricKind.Timer, Fn: "p99"), CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Names_ByPrefix_WithType()
    {
        await using var node = MetricTestNode.Create(_db, _clock);
        node.Send("app.b:1|c\napp.a:1|g\nother:1|ms\napp_x:1|c");
        _clock.Now = new DateTimeOffset(Start.AddMinutes(1));
        await node.FlushAsync();

        var names = await node.Queries.NamesAsync("app.", CancellationToken.None);

        Assert.Equal([("app.a", "gauge"), ("app.b", "counter")], names.Select(n => (n.Name, n.Type)));
    }
}
