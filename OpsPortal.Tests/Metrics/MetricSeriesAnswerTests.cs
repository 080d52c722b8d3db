using System.Text.Json;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Metrics;

namespace OpsPortal.Tests.Metrics;

/// <summary>
/// The series reader's exact answers, step by step (cells indexed by step number, a line of one series read
/// without a merge, lines of several merged), over gaps, a minute flushed late (read from raw points after its
/// rollup), several lines and groupBy, percentiles, and the raw, minute and hour resolutions; and the API's
/// hand-written JSON of each answer, byte for byte what the serializer writes.
/// </summary>
public sealed class MetricSeriesAnswerTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime End = Start.AddMinutes(5);
    private TestDatabase _db = null!;
    private FixedClock _clock = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _clock = new FixedClock(new DateTimeOffset(Start));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Minutes 0, 1 and 3 of 10:00–10:05 (2 and 4 empty), rolled up; then a late flush into minute 1 from another node.</summary>
    private async Task<MetricTestNode> SeedAsync()
    {
        var node = MetricTestNode.Create(_db, _clock);
        void At(int minute, int second, string packet)
        {
            _clock.Now = new DateTimeOffset(Start.AddMinutes(minute).AddSeconds(second));
            node.Send(packet);
        }
        At(0, 5, "shop.orders:3|c\napi.latency:120|ms\nweb.a.hits:1|c\nweb.b.hits:2|c\nweb.a.depth:5|g\nweb.b.depth:7|g");
        At(1, 5, "shop.orders:4|c\nweb.b.hits:6|c\nweb.a.depth:9|g");
        At(3, 5, "shop.orders:5|c\napi.latency:80|ms\nweb.a.hits:10|c");
        _clock.Now = new DateTimeOffset(End);
        await node.FlushAsync();
        Assert.True(await node.Rollup.RunAsync(CancellationToken.None) > 0);

        await using var late = MetricTestNode.Create(_db, _clock);
        _clock.Now = new DateTimeOffset(Start.AddMinutes(1).AddSeconds(30));
        late.Send("shop.orders:1000|c\napi.latency:200|ms");
        _clock.Now = new DateTimeOffset(End.AddSeconds(30));
        await late.FlushAsync();
        Assert.Equal(1, await node.ScalarAsync("SELECT count(*) FROM metric_rollup_dirty"));
        return node;
    }

    private static List<double?> Values(MetricSeriesLine line) => [.. line.Points.Select(p => p.V)];

    [Fact]
    public async Task Series_StepByStep_GapsLateMinuteLinesAndResolutions()
    {
        await using var node = await SeedAsync();

        var orders = await node.SeriesAsync("shop.orders", Start, End, "1m");
        Assert.Equal("minute", orders.Resolution);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => new DateTimeOffset(Start.AddMinutes(i))), orders.Series.Single().Points.Select(p => p.T));
        Assert.Equal([3, 1004, 0, 5, 0], Values(orders.Series.Single()));
        Assert.Equal([120, 200, null, 80, null], Values((await node.SeriesAsync("api.latency", Start, End, "1m", "avg")).Series.Single()));
        Assert.Equal([1, 1, 0, 1, 0], Values((await node.SeriesAsync("api.latency", Start, End, "1m", "count")).Series.Single()));
        // One value a step: the percentile is that value, within the sketch's 1 %; empty steps have none.
        var p95 = Values((await node.SeriesAsync("api.latency", Start, End, "1m", "p95")).Series.Single());
        Assert.Equal([true, true, false, true, false], p95.Select(v => v is not null));
        Assert.Equal([120, 200, 80], p95.Where(v => v is not null).Select(v => Math.Round(v!.Value / 10) * 10));
        // Two minutes a step: minutes 0+1 merge (a rollup row and raw points), 2+3, and 4 alone.
        var twoMinutes = await node.SeriesAsync("api.latency", Start, End, "2m", "max");
        Assert.Equal([200, 80, null], Values(twoMinutes.Series.Single()));

        var byName = await node.SeriesAsync("web.*.hits", Start, End, "1m", groupBy: "name");
        Assert.Equal(["web.a.hits", "web.b.hits"], byName.Series.Select(s => s.Name));
        Assert.Equal([1, 0, 0, 10, 0], Values(byName.Series[0]));
        Assert.Equal([2, 6, 0, 0, 0], Values(byName.Series[1]));
        Assert.Equal([3, 6, 0, 10, 0], Values((await node.SeriesAsync("web.*.hits", Start, End, "1m")).Series.Single()));
        var bySegment = await node.SeriesAsync("web.*.hits", Start, End, "1m", groupBy: "2");
        Assert.Equal([("a", 11.0), ("b", 8.0)], bySegment.Series.Select(s => (s.Name, s.Points.Sum(p => p.V!.Value))));
        // Gauges of a line: each series' last value, added up.
        Assert.Equal([12, 9, null, null, null], Values((await node.SeriesAsync("web.*.depth", Start, End, "1m")).Series.Single()));

        var raw = await node.SeriesAsync("shop.orders", Start, End, "10s");
        Assert.Equal(("raw", 30), (raw.Resolution, raw.Series.Single().Points.Count));
        Assert.Equal([(0, 3.0), (6, 4.0), (9, 1000.0), (18, 5.0)],
            raw.Series.Single().Points.Select((p, i) => (i, p.V!.Value)).Where(x => x.Item2 != 0));
        var hourly = await node.SeriesAsync("shop.orders", Start, End, "1h");
        Assert.Equal(("hour", 1012.0), (hourly.Resolution, hourly.Series.Single().Points.Single().V!.Value));
    }

    [Fact]
    public async Task Json_SameBytesAsTheSerialisedAnswer_EveryShape()
    {
        await using var node = await SeedAsync();
        var answers = new List<MetricSeriesResult>
        {
            await node.SeriesAsync("shop.orders", Start, End, "1m"),
            await node.SeriesAsync("shop.orders", Start, End, "10s"),
            await node.SeriesAsync("shop.orders", Start, End, "1h"),
            await node.SeriesAsync("shop.orders", Start, End, "1m", "rate"),
            await node.SeriesAsync("api.latency", Start, End, "1m", "avg"),
            await node.SeriesAsync("api.latency", Start, End, "1m", "p95"),
            await node.SeriesAsync("api.latency", Start, End, "2m", "p99.9"),
            await node.SeriesAsync("web.*.hits", Start, End, "1m", groupBy: "name"),
            await node.SeriesAsync("web.*.hits", Start, End, "1m", groupBy: "2"),
            await node.SeriesAsync("web.*.depth", Start, End, "1m"),
            await node.SeriesAsync("nothing.*", Start, End, "1m"),
        };
        foreach (var answer in answers)
        {
            var expected = JsonSerializer.SerializeToUtf8Bytes(answer, JsonSerializerOptions.Web);
            using var actual = MetricSeriesJson.Answer(answer);
            var bytes = await ReadAsync(actual.Buffer);
            Assert.True(expected.AsSpan().SequenceEqual(bytes),
                $"{answer.Name} {answer.Fn} {answer.StepSeconds}s\nexpected {System.Text.Encoding.UTF8.GetString(expected)}\nactual   {System.Text.Encoding.UTF8.GetString(bytes)}");
        }
    }

    private static async Task<byte[]> ReadAsync(OpsPortal.Web.Common.PooledBuffer buffer)
    {
        using var stream = new MemoryStream();
        await buffer.DrainToAsync(stream, CancellationToken.None);
        return stream.ToArray();
    }
}
