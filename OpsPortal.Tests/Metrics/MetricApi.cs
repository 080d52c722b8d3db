using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace OpsPortal.Tests.Metrics;

/// <summary>Reading the metrics API as a client does, and ports for listeners under test.</summary>
internal static class MetricApi
{
    public sealed record Point(DateTimeOffset T, double? V);
    public sealed record Line(string Name, List<Point> Points);
    public sealed record SeriesBody(string Name, string Type, string Fn, DateTimeOffset From, DateTimeOffset To, int StepSeconds, string Resolution, List<Line> Series);
    public sealed record BadLine(DateTimeOffset At, string Protocol, string? Sender, string Reason, string Line);
    public sealed record NodeStatus(long Node, string Host, int? StatsdPort, int? GraphitePort, long Lines, long BadLines,
        Dictionary<string, long> BadByReason, List<BadLine> RecentBad, bool IsThisNode);
    public sealed record Listeners(int? StatsdPort, int? GraphitePort, List<NodeStatus> Nodes);

    /// <summary>The series over the last 15 minutes (and the next one); the sum of every point and the answer.</summary>
    public static async Task<(double Total, SeriesBody Body)> SeriesAsync(HttpClient client, string name, string? fn = null, string step = "10s", string? type = null)
    {
        var now = DateTimeOffset.UtcNow;
        var url = $"/api/metrics/series?name={Uri.EscapeDataString(name)}&step={step}" +
                  $"&from={Uri.EscapeDataString(now.AddMinutes(-15).ToString("O", CultureInfo.InvariantCulture))}" +
                  $"&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture))}" +
                  (fn is null ? "" : $"&fn={fn}") + (type is null ? "" : $"&type={type}");
        var response = await client.GetAsync(url);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (double.NaN, null!);
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<SeriesBody>())!;
        return (body.Series.SelectMany(s => s.Points).Sum(p => p.V ?? 0), body);
    }

    /// <summary>Polls until the series' total is <paramref name="expected"/> (flushes come every second in these tests).</summary>
    public static async Task<SeriesBody> WaitForTotalAsync(HttpClient client, string name, double expected, string? fn = null, string step = "10s",
        string? type = null, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var (total, body) = await SeriesAsync(client, name, fn, step, type);
            if (total == expected)
            {
                return body;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{name} {fn}: total {total}, expected {expected}");
            await Task.Delay(300);
        }
    }

    public static async Task<Listeners> ListenersAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<Listeners>("/api/metrics/listeners"))!;

    private static readonly Lock PortGate = new();
    private static int _nextPort = 8125;

    /// <summary>
    /// A port free for both UDP and TCP on loopback: first from this branch's test range (8125–8135), then
    /// any the OS offers. Each call in this process moves on, so parallel tests never get the same one.
    /// </summary>
    public static int FreePort()
    {
        lock (PortGate)
        {
            while (_nextPort <= 8135)
            {
                var port = _nextPort++;
                if (IsFree(port))
                {
                    return port;
                }
            }
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                udp.Dispose();
                if (IsFree(port))
                {
                    return port;
                }
            }
            throw new InvalidOperationException("No free port for UDP and TCP on loopback.");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
