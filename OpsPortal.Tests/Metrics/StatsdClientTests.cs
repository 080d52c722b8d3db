using System.Diagnostics;
using System.Globalization;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Metrics;

/// <summary>
/// A StatsD client we did not write — Debian's python3-statsd (./test.sh installs it) — over UDP, TCP and
/// its pipeline (several metrics per packet): the series API returns exactly what it sent.
/// </summary>
public sealed class StatsdClientTests : ApiTestBase
{
    private const string Python = "/usr/bin/python3";
    private readonly int _statsd = MetricApi.FreePort();

    protected override IReadOnlyDictionary<string, string>? Settings => MetricListenerTests.ListenerSettings(_statsd, MetricApi.FreePort());

    [Fact]
    public async Task PythonStatsd_UdpTcpAndPipeline_CountersTimersGaugesSets_ExactlyWhatWasSent()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        await RunPythonAsync($$"""
            import statsd
            udp = statsd.StatsClient('127.0.0.1', {{_statsd}}, prefix='py')
            tcp = statsd.TCPStatsClient('127.0.0.1', {{_statsd}}, prefix='py')
            for i in range(100):
                udp.incr('orders')
            udp.incr('orders', 25)
            udp.decr('orders', 5)
            udp.timing('checkout', 120)
            udp.timing('checkout', 80.5)
            udp.gauge('queue', 40)
            udp.gauge('queue', 2, delta=True)
            udp.set('users', 'alice')
            udp.set('users', 'bob')
            udp.set('users', 'alice')
            with udp.pipeline() as pipe:
                for i in range(50):
                    pipe.incr('batched')
                pipe.timing('checkout', 300)
            tcp.incr('tcp_orders', 7)
            tcp.timing('checkout', 100)
            tcp.close()
            """);

        await MetricApi.WaitForTotalAsync(client, "py.orders", 120);
        await MetricApi.WaitForTotalAsync(client, "py.batched", 50);
        await MetricApi.WaitForTotalAsync(client, "py.tcp_orders", 7);
        await MetricApi.WaitForTotalAsync(client, "py.checkout", 4, "count");
        await MetricApi.WaitForTotalAsync(client, "py.checkout", 600.5, "sum");
        await MetricApi.WaitForTotalAsync(client, "py.checkout", 80.5, "min", "1h");
        await MetricApi.WaitForTotalAsync(client, "py.checkout", 300, "max", "1h");
        await MetricApi.WaitForTotalAsync(client, "py.queue", 42, "last", "1h");
        await MetricApi.WaitForTotalAsync(client, "py.users", 2, "max", "1h");
    }

    private static async Task RunPythonAsync(string script)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run ./test.sh, which installs python3-statsd.");
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0,
            $"python3-statsd failed ({process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {error}\n" +
            "If 'No module named statsd': run ./test.sh, or apt-get install python3-statsd.");
    }
}
