using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Metrics;

/// <summary>
/// Real packets and streams into the app's listeners, read back through the series API: UDP and TCP
/// StatsD, Graphite plaintext, bad lines counted and shown, two app nodes on one database.
/// </summary>
public sealed class MetricListenerTests : ApiTestBase
{
    private readonly int _statsd = MetricApi.FreePort();
    private readonly int _graphite = MetricApi.FreePort();

    internal static Dictionary<string, string> ListenerSettings(int statsd, int graphite) => new()
    {
        ["OPSPORTAL_STATSD_PORT"] = statsd.ToString(CultureInfo.InvariantCulture),
        ["OPSPORTAL_GRAPHITE_PORT"] = graphite.ToString(CultureInfo.InvariantCulture),
        ["OpsPortal:Metrics:BindAddress"] = "127.0.0.1",
        ["OpsPortal:Metrics:FlushInterval"] = "00:00:01",
    };

    protected override IReadOnlyDictionary<string, string>? Settings => ListenerSettings(_statsd, _graphite);

    private static async Task SendUdpAsync(int port, params string[] packets)
    {
        using var udp = new UdpClient();
        foreach (var packet in packets)
        {
            await udp.SendAsync(Encoding.UTF8.GetBytes(packet), new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    [Fact]
    public async Task Udp_CountersAndTimers_SeriesApiReturnsExactlyWhatWasSent()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        await SendUdpAsync(_statsd, "udp.orders:3|c\nudp.orders:4|c|@0.5\nudp.latency:120|ms", "udp.latency:80|ms\nudp.orders:-1|c",
            "udp.latency:250.5|ms|@0.5");

        await MetricApi.WaitForTotalAsync(client, "udp.orders", 3 + 8 - 1);
        await MetricApi.WaitForTotalAsync(client, "udp.orders", 10, step: "1m");
        Assert.Equal(4, (await MetricApi.SeriesAsync(client, "udp.latency", "count")).Total);
        Assert.Equal(120 + 80 + 501, (await MetricApi.SeriesAsync(client, "udp.latency", "sum")).Total);
        Assert.Equal(80, (await MetricApi.SeriesAsync(client, "udp.latency", "min", "1h")).Total);
        Assert.Equal(250.5, (await MetricApi.SeriesAsync(client, "udp.latency", "max", "1h")).Total);
        var (avg, body) = await MetricApi.SeriesAsync(client, "udp.latency", "avg", "1h");
        Assert.Equal(701 / 4.0, avg, 9);
        Assert.Equal(("timer", "hour", 3600), (body.Type, body.Resolution, body.StepSeconds));
    }

    [Fact]
    public async Task Tcp_LinesSplitAcrossWrites_AndAFinalLineWithoutNewline_AllTaken()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _statsd);
            var stream = tcp.GetStream();
            foreach (var chunk in new[] { "tcp.jobs:2|c\ntcp.jo", "bs:5|c\n", "tcp.queue:17|g\ntcp.jobs:1|c" })
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(chunk));
                await stream.FlushAsync();
                await Task.Delay(50);
            }
        }

        await MetricApi.WaitForTotalAsync(client, "tcp.jobs", 8);
        await MetricApi.WaitForTotalAsync(client, "tcp.queue", 17, step: "1h");
    }

    [Fact]
    public async Task Graphite_TcpAndUdp_PointsAtTheirTimestamps()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _graphite);
            await tcp.GetStream().WriteAsync(Encoding.UTF8.GetBytes($"servers.web1.temp 21.5 {now - 120}\nservers.web1.temp 23 {now - 60}\n"));
        }
        await SendUdpAsync(_graphite, $"servers.web2.temp 30 {now}\n");

        var series = await MetricApi.WaitForTotalAsync(client, "servers.web1.temp", 21.5 + 23, "max", "1m");
        Assert.Equal("gauge", series.Type);
        Assert.Equal(2, series.Series.Single().Points.Count(p => p.V is not null));
        await MetricApi.WaitForTotalAsync(client, "servers.*.temp", 30 + 23, "last", "1h");
    }

    [Fact]
    public async Task BadLines_CountedAndShownWithReason_ListenerKeepsTaking()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        await SendUdpAsync(_statsd, "this is not statsd\nbad.ok:1|c\nbad.rate:1|c|@7", "bad.ok:1|c");
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _statsd);
            await tcp.GetStream().WriteAsync(Encoding.UTF8.GetBytes("bad.type:1|q\n" + new string('x', 70_000) + "\nbad.ok:1|c\n"));
        }

        await MetricApi.WaitForTotalAsync(client, "bad.ok", 3);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        MetricApi.NodeStatus node;
        do
        {
            node = Assert.Single((await MetricApi.ListenersAsync(client)).Nodes);
            await Task.Delay(200);
        }
        while (node.BadLines < 4 && DateTime.UtcNow < deadline);

        Assert.Equal(4, node.BadLines);
        Assert.Equal(3, node.Lines);
        Assert.Equal(4, node.BadByReason.Values.Sum());
        Assert.Contains(node.RecentBad, b => b.Line == "this is not statsd" && b.Protocol == "statsd/udp" && b.Reason.StartsWith("no value", StringComparison.Ordinal));
        Assert.Contains(node.RecentBad, b => b.Line == "bad.rate:1|c|@7" && b.Reason.Contains("sample rate", StringComparison.Ordinal));
        Assert.Contains(node.RecentBad, b => b.Protocol == "statsd/tcp" && b.Reason.Contains("64 KiB", StringComparison.Ordinal));
        Assert.Equal((_statsd, _graphite, true), (node.StatsdPort, node.GraphitePort, node.IsThisNode));
    }

    [Fact]
    public async Task Listeners_SayWhichPortsListen()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var listeners = await MetricApi.ListenersAsync(client);

        Assert.Equal((_statsd, _graphite), (listeners.StatsdPort, listeners.GraphitePort));
        using var anonymous = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/metrics/listeners")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/metrics/series?name=x")).StatusCode);
    }

    [Fact]
    public async Task TwoAppNodes_OneDatabase_SeriesCombinesBoth_ListenersListBoth()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var otherStatsd = MetricApi.FreePort();
        await using var other = new OpsPortalFactory(Database, settings: ListenerSettings(otherStatsd, MetricApi.FreePort()));
        await other.StartAsync();

        await SendUdpAsync(_statsd, "two.hits:5|c\ntwo.gauge:1|g\ntwo.latency:10|ms");
        await Task.Delay(1500);
        await SendUdpAsync(otherStatsd, "two.hits:7|c\ntwo.gauge:2|g\ntwo.latency:30|ms");

        await MetricApi.WaitForTotalAsync(client, "two.hits", 12);
        await MetricApi.WaitForTotalAsync(client, "two.latency", 40, "sum", "1h");
        // The second node's gauge was set last.
        await MetricApi.WaitForTotalAsync(client, "two.gauge", 2, "last", "1h");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await MetricApi.ListenersAsync(client)).Nodes.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second node's report");
            await Task.Delay(200);
        }
        var nodes = (await MetricApi.ListenersAsync(client)).Nodes;
        Assert.Equal(new[] { _statsd, otherStatsd }.Order(), nodes.Select(n => n.StatsdPort!.Value).Order());
        Assert.Single(nodes, n => n.IsThisNode);
    }
}

/// <summary>The ports are off unless set, and the API says so.</summary>
public sealed class MetricListenersOffTests : ApiTestBase
{
    [Fact]
    public async Task NoPortSet_NothingListens_ApiSaysNull()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var listeners = await MetricApi.ListenersAsync(client);

        Assert.Null(listeners.StatsdPort);
        Assert.Null(listeners.GraphitePort);
        Assert.Empty(listeners.Nodes);
    }
}
