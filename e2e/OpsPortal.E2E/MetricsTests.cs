using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpsPortal.E2E;

/// <summary>A portal with its StatsD port open (a free loopback port) and 1-second flushes.</summary>
public sealed class MetricsPortalFixture : PortalFixture
{
    public int StatsdPort { get; } = FreePort();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OPSPORTAL_STATSD_PORT"] = StatsdPort.ToString(CultureInfo.InvariantCulture),
        ["OpsPortal:Metrics:BindAddress"] = "127.0.0.1",
        ["OpsPortal:Metrics:FlushInterval"] = "00:00:01",
    };

    /// <summary>A port free for UDP and TCP alike (StatsD listens on both).</summary>
    private static int FreePort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}

public sealed class MetricsTests(MetricsPortalFixture portal) : BrowserTest(portal), IClassFixture<MetricsPortalFixture>
{
    /// <summary>Metrics sent over UDP show up on the Metrics page: the listener with its bad line, the name, a chart.</summary>
    [Fact]
    public async Task StatsdPackets_ShowOnMetricsPage_BadLineListed_ChartDrawn()
    {
        var port = ((MetricsPortalFixture)Portal).StatsdPort;
        using (var udp = new UdpClient())
        {
            foreach (var packet in new[] { "e2e.orders:5|c\ne2e.latency:120|ms", "not a metric", "e2e.orders:7|c\ne2e.latency:80|ms" })
            {
                await udp.SendAsync(Encoding.UTF8.GetBytes(packet), new IPEndPoint(IPAddress.Loopback, port));
            }
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        await Page.GotoAsync("/metrics");
        await WaitForInteractiveAsync(Page);

        var node = Page.GetByTestId("metric-node");
        await Assertions.Expect(node).ToContainTextAsync(port.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(node.GetByTestId("metric-bad-count")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await Assertions.Expect(Page.GetByTestId("metric-bad-lines")).ToContainTextAsync("not a metric");
        await Page.GetByTestId("metric-prefix").FillAsync("e2e.o");
        await Assertions.Expect(Page.GetByTestId("metric-name")).ToHaveCountAsync(1);
        await Page.GetByTestId("metric-name").Filter(new() { HasText = "e2e.orders" }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("metric-chart-info")).ToContainTextAsync("counter, sum");
        await Assertions.Expect(Page.GetByTestId("metric-chart")).Not.ToHaveAttributeAsync("data-points", "0");
        Assert.Contains("name=e2e.orders", Page.Url, StringComparison.Ordinal);
        Assert.Empty(ConsoleErrors);
    }
}
