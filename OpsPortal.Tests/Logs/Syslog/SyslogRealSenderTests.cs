using System.Diagnostics;
using System.Globalization;
using static OpsPortal.Tests.Logs.Syslog.SyslogTestNode;

namespace OpsPortal.Tests.Logs.Syslog;

/// <summary>
/// A sender we did not write: util-linux <c>logger</c> (Debian's essential bsdutils) in every
/// transport, format and framing it has, so the listener is checked against a real implementation
/// of the RFCs and not only against our own idea of them.
/// </summary>
public sealed class SyslogRealSenderTests
{
    [Fact]
    public async Task UtilLinuxLogger_EveryTransportFormatAndFraming_EachLineStoredOnce()
    {
        await using var node = await CreateAsync();
        var id = await node.AddSourceAsync("from-logger", "web_a");
        await node.StartAsync();
        var udp = node.Listener.UdpEndPoint!.Port.ToString(CultureInfo.InvariantCulture);
        var tcp = node.Listener.TcpEndPoint!.Port.ToString(CultureInfo.InvariantCulture);
        string[][] modes =
        [
            ["--udp", "--port", udp, "--rfc3164"],
            ["--udp", "--port", udp, "--rfc5424", "--sd-id", "zoo@123", "--sd-param", "tiger=\"hungry\""],
            ["--tcp", "--port", tcp, "--rfc3164"],
            ["--tcp", "--port", tcp, "--rfc5424", "--msgid", "access"],
            ["--tcp", "--port", tcp, "--rfc3164", "--octet-count"],
            ["--tcp", "--port", tcp, "--rfc5424", "--octet-count"],
        ];

        for (var i = 0; i < modes.Length; i++)
        {
            await RunLoggerAsync([.. modes[i], "--server", "127.0.0.1", "--tag", "web_a", Line(i)]);
        }

        await node.AssertCountAsync(id, modes.Length);
        Assert.Equal(0, await node.RejectCountAsync(id));
    }

    private static async Task RunLoggerAsync(string[] args)
    {
        var start = new ProcessStartInfo("logger") { RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"logger {string.Join(' ', args)}: {error}");
    }
}
