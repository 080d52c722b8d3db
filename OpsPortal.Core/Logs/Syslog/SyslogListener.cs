using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Syslog;

/// <summary>
/// Receives access-log lines over syslog, UDP and TCP, as nginx's <c>access_log syslog:server=…</c>
/// sends them, and hands each message to the enabled syslog source whose tag it carries. Off
/// until a port is configured (<see cref="LogsOptions.SyslogUdpPort"/>, <see cref="LogsOptions.SyslogTcpPort"/>).
/// Nothing received is dropped silently: unknown tags and garbage are counted and logged, UDP
/// messages dropped under load are recorded on their source.
/// </summary>
internal sealed partial class SyslogListener : BackgroundLoop
{
    private const int MaxConnections = 512;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly SyslogRoutes _routes;
    private readonly IOptions<LogsOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<SyslogListener> _logger;
    private readonly RateLimitedCounter _malformed;
    private readonly RateLimitedCounter _unknownTag;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _connectionIds;
    private long _udpDropped;
    private readonly RateLimitedCounter _refused;
    private Socket? _udp;
    private Socket? _tcp;

    public const string Loop = "logs.syslog";

    public SyslogListener(LogSourceService sources, AccessWriter writer, TimeProvider clock, IOptions<LogsOptions> options,
        BackgroundHealth health, ILogger<SyslogListener> logger)
        : base(health, clock, logger)
    {
        _routes = new SyslogRoutes(sources, writer, clock, options, logger);
        _options = options;
        _clock = clock;
        _logger = logger;
        _malformed = new RateLimitedCounter(clock, ReportInterval);
        _unknownTag = new RateLimitedCounter(clock, ReportInterval);
        _refused = new RateLimitedCounter(clock, ReportInterval);
    }

    /// <summary>Completes once the sockets are bound and the sources loaded (at once when both ports are 0).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Where UDP is bound (the real port when 0 was asked of the OS), or null when off.</summary>
    public IPEndPoint? UdpEndPoint { get; private set; }

    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>Messages that were not syslog at all (no valid PRI, a broken RFC 5424 header).</summary>
    public long MalformedMessages => _malformed.Total;

    /// <summary>Messages whose tag no enabled syslog source has.</summary>
    public long UnknownTagMessages => _unknownTag.Total;

    /// <summary>UDP messages dropped because their source's queue was full (each also recorded on the source).</summary>
    public long UdpDroppedMessages => Interlocked.Read(ref _udpDropped);

    internal int? QueueCapacity
    {
        get => _routes.QueueCapacity;
        set => _routes.QueueCapacity = value;
    }

    /// <summary>How often sources added, edited or disabled on the Sources page are picked up.</summary>
    internal TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Binds here, not in <see cref="ExecuteAsync"/>, so a port in use stops start-up with a clear error.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var o = _options.Value;
        if (o.SyslogUdpPort == 0 && o.SyslogTcpPort == 0)
        {
            _ready.TrySetResult();
            return Task.CompletedTask;
        }
        var address = IPAddress.Parse(o.SyslogBindAddress);
        try
        {
            _udp = o.SyslogUdpPort == 0 ? null : Bind(address, o.SyslogUdpPort, SocketType.Dgram, ProtocolType.Udp);
            _tcp = o.SyslogTcpPort == 0 ? null : Bind(address, o.SyslogTcpPort, SocketType.Stream, ProtocolType.Tcp);
            _tcp?.Listen(128);
        }
        catch
        {
            _udp?.Dispose();
            _tcp?.Dispose();
            _udp = _tcp = null;
            throw;
        }
        UdpEndPoint = _udp?.LocalEndPoint as IPEndPoint;
        TcpEndPoint = _tcp?.LocalEndPoint as IPEndPoint;
        LogListening(UdpEndPoint?.ToString() ?? "off", TcpEndPoint?.ToString() ?? "off");
        return base.StartAsync(cancellationToken);
    }

    protected override string LoopName => Loop;

    /// <remarks>Nothing in here throws but a cancel: database failures are retried where they happen and shown on /health.</remarks>
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var drain = new CancellationTokenSource();
        _routes.Start(drain.Token);
        var loops = new List<Task>();
        try
        {
            await LoadSourcesAsync(stoppingToken);
            _ready.TrySetResult();
            if (_udp is not null)
            {
                loops.Add(ReceiveUdpAsync(_udp, stoppingToken));
            }
            if (_tcp is not null)
            {
                loops.Add(AcceptTcpAsync(_tcp, stoppingToken));
            }
            await MaintainAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
            _udp?.Dispose();
            _tcp?.Dispose();
            await Task.WhenAll(loops);
            await Task.WhenAll(_connections.Values);
            drain.CancelAfter(DrainTimeout);
            await _routes.CompleteAllAsync();
            await ReportDropsAsync(drain.Token);
        }
    }

    private static Socket Bind(IPAddress address, int port, SocketType type, ProtocolType protocol)
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
                // Absorbs bursts while a batch is being written; the kernel caps it at net.core.rmem_max.
                socket.ReceiveBufferSize = 4 * 1024 * 1024;
            }
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"Syslog: cannot listen on {protocol.ToString().ToUpperInvariant()} {address}:{port} ({ex.Message}). " +
                $"Change {LogsOptions.Section}:Syslog{(protocol == ProtocolType.Udp ? "Udp" : "Tcp")}Port, or set it to 0 to turn it off.", ex);
        }
    }

    private async Task LoadSourcesAsync(CancellationToken ct)
    {
        for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, MaxBackOff.TotalSeconds)))
        {
            try
            {
                await _routes.ReloadAsync(ct);
                MarkHealthy();
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogReloadFailed(ex);
                MarkFailed(ex);
                await Task.Delay(delay, _clock, ct);
            }
        }
    }

    private async Task MaintainAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _clock);
        var lastReload = _clock.GetTimestamp();
        while (await timer.WaitForNextTickAsync(ct))
        {
            await ReportDropsAsync(ct);
            if (_clock.GetElapsedTime(lastReload) < ReloadInterval)
            {
                continue;
            }
            lastReload = _clock.GetTimestamp();
            try
            {
                await _routes.ReloadAsync(ct);
                MarkHealthy();
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogReloadFailed(ex);
                MarkFailed(ex);
            }
        }
    }

    private async Task ReportDropsAsync(CancellationToken ct)
    {
        foreach (var queue in _routes.Queues)
        {
            try
            {
                await queue.ReportDropsAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogReportFailed(ex, queue.Source.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listening: UDP {Udp}, TCP {Tcp}")]
    private partial void LogListening(string udp, string tcp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog: receiving over {Transport} failed")]
    private partial void LogReceiveFailed(Exception ex, string transport);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog: could not load the syslog sources")]
    private partial void LogReloadFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog: could not record dropped messages on source {Source}")]
    private partial void LogReportFailed(Exception ex, string source);
}
