using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// The StatsD port (UDP and TCP) and the Graphite plaintext port (TCP and UDP), each off until configured
/// (<see cref="MetricsOptions.StatsdPort"/>, <see cref="MetricsOptions.GraphitePort"/>). Sockets are bound
/// in <see cref="StartAsync"/>, so a port in use stops start-up with a message naming the setting. UDP is
/// read by one dedicated thread per port with blocking receives (cheaper per datagram than async receives
/// at 100k metrics/s); TCP connections are newline-framed streams. A bad line is counted by
/// <see cref="MetricIngest"/> and never ends a receiver.
/// </summary>
public sealed partial class MetricListener(
    MetricIngest ingest, IOptions<MetricsOptions> options, BackgroundHealth health, TimeProvider clock, ILogger<MetricListener> logger)
    : BackgroundLoop(health, clock, logger)
{
    private readonly TimeProvider _clock = clock;
    private readonly List<Port> _ports = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override string LoopName => "metrics.listener";

    /// <summary>Where StatsD listens (the real port when 0 was asked of the OS), or null when off.</summary>
    public IPEndPoint? StatsdUdp { get; private set; }

    public IPEndPoint? StatsdTcp { get; private set; }

    public IPEndPoint? GraphiteUdp { get; private set; }

    public IPEndPoint? GraphiteTcp { get; private set; }

    /// <summary>Completes once the receive loops run (at once when every port is off).</summary>
    public Task Ready => _ready.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.BindAddress);
        try
        {
            if (o.StatsdPort != 0)
            {
                var (udp, tcp) = BindPair(address, o.StatsdPort, nameof(MetricsOptions.StatsdPort), MetricsOptions.StatsdPortVariable);
                _ports.Add(new Port(udp, MetricProtocol.StatsdUdp));
                _ports.Add(new Port(tcp, MetricProtocol.StatsdTcp));
                (StatsdUdp, StatsdTcp) = ((IPEndPoint)udp.LocalEndPoint!, (IPEndPoint)tcp.LocalEndPoint!);
            }
            if (o.GraphitePort != 0)
            {
                var (udp, tcp) = BindPair(address, o.GraphitePort, nameof(MetricsOptions.GraphitePort), MetricsOptions.GraphitePortVariable);
                _ports.Add(new Port(udp, MetricProtocol.GraphiteUdp));
                _ports.Add(new Port(tcp, MetricProtocol.GraphiteTcp));
                (GraphiteUdp, GraphiteTcp) = ((IPEndPoint)udp.LocalEndPoint!, (IPEndPoint)tcp.LocalEndPoint!);
            }
        }
        catch
        {
            foreach (var port in _ports)
            {
                port.Socket.Dispose();
            }
            _ports.Clear();
            throw;
        }
        if (_ports.Count == 0)
        {
            _ready.TrySetResult();
            return Task.CompletedTask;
        }
        LogListening(StatsdUdp?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off",
            GraphiteTcp?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off", o.BindAddress);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Closing the sockets is what ends blocking receives and pending accepts.
        foreach (var port in _ports)
        {
            port.Socket.Dispose();
        }
        await base.StopAsync(cancellationToken);
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        foreach (var port in _ports)
        {
            loops.Add(port.Socket.SocketType == SocketType.Dgram
                ? RunUdpThread(port, stoppingToken)
                : AcceptTcpAsync(port, stoppingToken));
        }
        _ready.TrySetResult();
        MarkHealthy();
        await Task.WhenAll(loops);
    }

    /// <summary>UDP and TCP on the same port number (0 asks the OS for a free one, then TCP takes the same number).</summary>
    private static (Socket Udp, Socket Tcp) BindPair(IPAddress address, int port, string setting, string variable)
    {
        var udp = Bind(address, port, SocketType.Dgram, ProtocolType.Udp, setting, variable);
        try
        {
            var tcp = Bind(address, ((IPEndPoint)udp.LocalEndPoint!).Port, SocketType.Stream, ProtocolType.Tcp, setting, variable);
            tcp.Listen(128);
            return (udp, tcp);
        }
        catch
        {
            udp.Dispose();
            throw;
        }
    }

    private static Socket Bind(IPAddress address, int port, SocketType type, ProtocolType protocol, string setting, string variable)
    {
        var socket = new Socket(address.AddressFamily, type, protocol);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            if (type == SocketType.Dgram)
            {
                // Absorbs bursts and GC pauses; the kernel caps it at net.core.rmem_max (docs/metrics.md).
                socket.ReceiveBufferSize = 8 * 1024 * 1024;
            }
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"Metrics: cannot listen on {protocol.ToString().ToUpperInvariant()} {address}:{port} ({ex.Message}). " +
                $"Change {MetricsOptions.Section}:{setting} ({variable}), or set it to 0 to turn it off.", ex);
        }
    }

    private sealed record Port(Socket Socket, MetricProtocol Protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics listening: StatsD {Statsd} (UDP and TCP), Graphite {Graphite} (TCP and UDP), on {Address}")]
    private partial void LogListening(string statsd, string graphite, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics: receiving over {Transport} failed")]
    private partial void LogReceiveFailed(Exception ex, string transport);
}
