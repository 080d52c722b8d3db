using System.Text;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Ingest;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Metrics;

/// <summary>The in-memory side of a flush interval: what one node writes for what it received.</summary>
public sealed class MetricAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 3, TimeSpan.Zero);
    private readonly FixedClock _clock = new(T0);

    private MetricIngest Ingest(int maxSeries = 50_000) =>
        new(_clock, Options.Create(new MetricsOptions { StatsdPort = 8125, MaxSeriesPerInterval = maxSeries }));

    private static void Send(MetricIngest ingest, string packet, MetricProtocol protocol = MetricProtocol.StatsdUdp) =>
        ingest.Receive(Encoding.UTF8.GetBytes(packet), protocol, null);

    private List<MetricPoint> Close(MetricIngest ingest)
    {
        _clock.Now += TimeSpan.FromSeconds(10);
        return [.. ingest.TakeCompleted().SelectMany(i => i.Points)];
    }

    [Fact]
    public void Counter_SampleRates_SumScaledByOneOverRate()
    {
        var ingest = Ingest();
        Send(ingest, "hits:1|c\nhits:1|c|@0.1\nhits:2|c|@0.5\nhits:-1|c");

        var p = Assert.Single(Close(ingest));

        Assert.Equal(("hits", MetricKind.Counter), (p.Name, p.Kind));
        Assert.Equal(1 + 10 + 4 - 1, p.Sum, 9);
        Assert.Equal(1 + 10 + 2 + 1, p.Count, 9);
        Assert.Equal((-1.0, 2.0), (p.Min, p.Max));
        Assert.Equal(new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc), p.At);
    }

    [Fact]
    public void Timer_CountSumMinMaxAndSketch()
    {
        var ingest = Ingest();
        Send(ingest, "db.query:10|ms\ndb.query:20|ms\ndb.query:300|ms|@0.5\ndb.query:40|h");

        var p = Assert.Single(Close(ingest));

        Assert.Equal(MetricKind.Timer, p.Kind);
        Assert.Equal(5, p.Count, 9);
        Assert.Equal(10 + 20 + 600 + 40, p.Sum, 9);
        Assert.Equal((10.0, 300.0), (p.Min, p.Max));
        Assert.Equal(5, p.SketchCounts!.Sum(), 9);
        Assert.Equal(p.SketchKeys!.Order(), p.SketchKeys);
    }

    [Fact]
    public void Gauge_DeltasApplyToTheValue_AndItIsKeptAcrossIntervals()
    {
        var ingest = Ingest();
        Send(ingest, "queue:10|g\nqueue:+5|g\nqueue:-3|g");
        var first = Assert.Single(Close(ingest));
        Send(ingest, "queue:+1|g");
        var second = Assert.Single(Close(ingest));

        Assert.Equal(12, first.Last);
        Assert.Equal((3.0, 10.0 + 15 + 12), (first.Count, first.Sum));
        Assert.Equal((10.0, 15.0), (first.Min, first.Max));
        Assert.Equal(13, second.Last);
    }

    [Fact]
    public void Set_DistinctMembersPerInterval()
    {
        var ingest = Ingest();
        Send(ingest, "users:alice|s\nusers:bob|s\nusers:alice|s\nusers:carol|s|@0.5");

        var p = Assert.Single(Close(ingest));

        Assert.Equal(MetricKind.Set, p.Kind);
        Assert.Equal(3, p.Sum);
    }

    [Fact]
    public void SameName_DifferentKinds_AreDifferentSeries()
    {
        var ingest = Ingest();
        Send(ingest, "x:1|c\nx:5|ms\nx:7|g");

        var points = Close(ingest);

        Assert.Equal([MetricKind.Counter, MetricKind.Gauge, MetricKind.Timer], points.Select(p => p.Kind).Order());
    }

    [Fact]
    public void Interval_ClosesWhenALaterValueArrives_ValuesStayInTheirOwn()
    {
        var ingest = Ingest();
        Send(ingest, "hits:1|c");
        _clock.Now += TimeSpan.FromSeconds(10);
        Send(ingest, "hits:2|c");

        var done = ingest.TakeCompleted();

        var only = Assert.Single(done);
        Assert.Equal(1, Assert.Single(only.Points).Sum);
        _clock.Now += TimeSpan.FromSeconds(10);
        var next = Assert.Single(ingest.TakeCompleted());
        Assert.Equal(2, Assert.Single(next.Points).Sum);
        Assert.Equal(only.Seq + 1, next.Seq);
    }

    [Fact]
    public void BadLines_CountedByReason_KeptForThePage_GoodLinesOfThePacketTaken()
    {
        var ingest = Ingest();
        Send(ingest, "ok:1|c\nbroken\nok:1|c|@2\n\nok:2|c\r\n");

        var p = Assert.Single(Close(ingest));

        Assert.Equal(3, p.Sum);
        Assert.Equal(2, ingest.Lines);
        Assert.Equal(2, ingest.BadLines);
        Assert.Equal(2, ingest.BadByReason.Values.Sum());
        Assert.Equal(["ok:1|c|@2", "broken"], ingest.RecentBadLines.Select(b => b.Line));
        Assert.All(ingest.RecentBadLines, b => Assert.Equal("statsd/udp", b.Protocol));
    }

    [Fact]
    public void SeriesCap_LinesBeyondItRefused_WholeLine()
    {
        var ingest = Ingest(maxSeries: 2);
        Send(ingest, "a:1|c\nb:1|c\nc:1|c\na:1|c:9|ms");

        var points = Close(ingest);

        Assert.Equal(["a", "b"], points.Select(p => p.Name).Order());
        Assert.Equal(1, points.Single(p => p.Name == "a").Sum);
        Assert.Equal(2, ingest.BadLines);
        Assert.Contains(ingest.BadByReason.Keys, k => k.Contains("too many", StringComparison.Ordinal));
    }

    [Fact]
    public void Graphite_PointAtItsOwnTime_OldAndFutureRefused()
    {
        var ingest = Ingest();
        var at = T0.ToUnixTimeSeconds() - 95;
        Send(ingest, $"servers.web1.load 1.5 {at}\nservers.web1.load 2.5 {at + 1}\nold.one 1 1000\nsoon 1 {T0.ToUnixTimeSeconds() + 3600}",
            MetricProtocol.GraphiteTcp);

        var p = Assert.Single(Close(ingest));

        Assert.Equal((MetricKind.Gauge, 2.5), (p.Kind, p.Last));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(at - at % 10).UtcDateTime, p.At);
        Assert.Equal(2, ingest.BadLines);
    }

    [Fact]
    public void TakeCompleted_All_ClosesTheOpenInterval()
    {
        var ingest = Ingest();
        Send(ingest, "hits:4|c");

        Assert.Empty(ingest.TakeCompleted());
        Assert.Equal(4, Assert.Single(Assert.Single(ingest.TakeCompleted(all: true)).Points).Sum);
    }
}
