using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>A line that was not taken, as the Metrics page shows it.</summary>
public sealed record BadMetricLine(DateTimeOffset At, string Protocol, string? Sender, string Reason, string Line);

internal enum MetricProtocol
{
    StatsdUdp,
    StatsdTcp,
    GraphiteUdp,
    GraphiteTcp,
}

/// <summary>
/// This node's intake: splits packets and streams into lines, parses them (StatsD or Graphite) and adds
/// them to the <see cref="MetricAggregator"/>, counting lines and bad lines by reason and keeping the last
/// few bad lines. Thread-safe: the UDP receivers and every TCP connection call it concurrently.
/// </summary>
public sealed class MetricIngest
{
    public const int KeptBadLines = 20;

    /// <summary>Longest line taken (a UDP datagram cannot be longer; a TCP line beyond it is refused unread).</summary>
    public const int MaxLineLength = 64 * 1024;
    private const int ShownLineLength = 300;
    private static readonly TimeSpan MaxFuture = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly MetricAggregator _aggregator;
    private readonly TimeProvider _clock;
    private readonly IOptions<MetricsOptions> _options;
    private readonly long[] _badByReason = new long[Enum.GetValues<MetricLineError>().Length];
    private readonly Queue<BadMetricLine> _badLines = new();
    private long _lines;
    private long _bad;

    public MetricIngest(TimeProvider clock, IOptions<MetricsOptions> options)
    {
        _clock = clock;
        _options = options;
        _aggregator = new MetricAggregator(options.Value.FlushInterval, options.Value.MaxSeriesPerInterval);
    }

    /// <summary>Lines taken and refused since this process started.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    public long BadLines => Interlocked.Read(ref _bad);

    public IReadOnlyDictionary<string, long> BadByReason
    {
        get
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (var i = 1; i < _badByReason.Length; i++)
            {
                if (Interlocked.Read(ref _badByReason[i]) is var n and > 0)
                {
                    counts[Describe((MetricLineError)i)] = n;
                }
            }
            return counts;
        }
    }

    public IReadOnlyList<BadMetricLine> RecentBadLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _badLines.Reverse()];
            }
        }
    }

    /// <summary>One datagram or a run of complete lines from a stream: newline-separated lines, empty ones skipped.</summary>
    internal void Receive(ReadOnlySpan<byte> data, MetricProtocol protocol, object? sender)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        Span<char> name = stackalloc char[StatsdParser.MaxNameLength];
        Span<StatsdValue> values = stackalloc StatsdValue[StatsdParser.MaxValuesPerLine];
        lock (_gate)
        {
            while (!data.IsEmpty)
            {
                var end = data.IndexOf((byte)'\n');
                var line = end < 0 ? data : data[..end];
                data = end < 0 ? [] : data[(end + 1)..];
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }
                if (line.IsEmpty)
                {
                    continue;
                }
                var error = line.Length > MaxLineLength ? MetricLineError.LineTooLong
                    : protocol is MetricProtocol.StatsdUdp or MetricProtocol.StatsdTcp ? AddStatsd(line, name, values, now)
                    : AddGraphite(line, name, now);
                Count(error, line, protocol, sender, now);
            }
        }
    }

    /// <summary>A line longer than a stream allows, never parsed; only its start is kept for the page.</summary>
    internal void RefuseTooLong(ReadOnlySpan<byte> start, MetricProtocol protocol, object? sender)
    {
        lock (_gate)
        {
            Count(MetricLineError.LineTooLong, start, protocol, sender, _clock.GetUtcNow().UtcDateTime);
        }
    }

    /// <summary>The intervals that have ended; with <paramref name="all"/> (shutting down) the open one too.</summary>
    internal List<CompletedInterval> TakeCompleted(bool all = false)
    {
        lock (_gate)
        {
            return _aggregator.TakeCompleted(_clock.GetUtcNow().UtcDateTime, all);
        }
    }

    private MetricLineError AddStatsd(ReadOnlySpan<byte> line, Span<char> name, Span<StatsdValue> values, DateTime now)
    {
        var error = StatsdParser.Parse(line, name, out var nameLength, values, out var count);
        return error != MetricLineError.None ? error : _aggregator.AddStatsd(name[..nameLength], values[..count], line, now);
    }

    private MetricLineError AddGraphite(ReadOnlySpan<byte> line, Span<char> name, DateTime now)
    {
        var error = GraphiteParser.Parse(line, name, out var nameLength, out var value, out var seconds);
        if (error != MetricLineError.None)
        {
            return error;
        }
        var at = now;
        if (seconds is { } s)
        {
            if (s > (DateTime.MaxValue - DateTime.UnixEpoch).TotalSeconds)
            {
                return MetricLineError.InFuture;
            }
            at = DateTime.UnixEpoch.AddTicks((long)(s * TimeSpan.TicksPerSecond));
        }
        if (at > now + MaxFuture)
        {
            return MetricLineError.InFuture;
        }
        // Points older than the raw retention would land in a dropped partition.
        if (at < now.Date.AddDays(1 - _options.Value.RawRetentionDays))
        {
            return MetricLineError.TooOld;
        }
        return _aggregator.AddGauge(name[..nameLength], value, at, now);
    }

    private void Count(MetricLineError error, ReadOnlySpan<byte> line, MetricProtocol protocol, object? sender, DateTime now)
    {
        if (error == MetricLineError.None)
        {
            Interlocked.Increment(ref _lines);
            return;
        }
        Interlocked.Increment(ref _bad);
        Interlocked.Increment(ref _badByReason[(int)error]);
        var text = Encoding.UTF8.GetString(line[..Math.Min(line.Length, ShownLineLength)]);
        _badLines.Enqueue(new BadMetricLine(new DateTimeOffset(now, TimeSpan.Zero), ProtocolName(protocol), SenderText(sender), Describe(error), text));
        while (_badLines.Count > KeptBadLines)
        {
            _badLines.Dequeue();
        }
    }

    /// <summary>Formatted only for a bad line: the UDP path hands over the raw socket address to save an allocation per datagram.</summary>
    private static string? SenderText(object? sender) => sender switch
    {
        SocketAddress a => new IPEndPoint(a.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(a).ToString(),
        _ => sender?.ToString(),
    };

    internal static string ProtocolName(MetricProtocol protocol) => protocol switch
    {
        MetricProtocol.StatsdUdp => "statsd/udp",
        MetricProtocol.StatsdTcp => "statsd/tcp",
        MetricProtocol.GraphiteUdp => "graphite/udp",
        _ => "graphite/tcp",
    };

    internal static string Describe(MetricLineError error) => error switch
    {
        MetricLineError.NoValue => "no value (expected name:value|type, or path value timestamp)",
        MetricLineError.EmptyName => "empty name (nothing left after sanitising)",
        MetricLineError.NameTooLong => $"name longer than {StatsdParser.MaxNameLength} characters",
        MetricLineError.BadValue => "value is not a finite number",
        MetricLineError.BadType => "unknown type (c, g, ms, h, d or s)",
        MetricLineError.BadSampleRate => "sample rate is not a number in (0, 1]",
        MetricLineError.BadSection => "unexpected field",
        MetricLineError.TooManyValues => $"more than {StatsdParser.MaxValuesPerLine} values in one line",
        MetricLineError.BadTimestamp => "timestamp is not Unix seconds",
        MetricLineError.TooOld => "timestamp older than the raw retention",
        MetricLineError.InFuture => "timestamp more than 10 minutes in the future",
        MetricLineError.TooManySeries => "too many distinct series in one flush interval",
        MetricLineError.LineTooLong => "line longer than 64 KiB",
        _ => error.ToString(),
    };
}
