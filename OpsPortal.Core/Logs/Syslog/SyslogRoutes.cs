using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Syslog;

internal enum SyslogRoute
{
    Routed,
    Malformed,
    UnknownTag,
}

/// <summary>
/// Which source each tag feeds: a snapshot of the enabled syslog sources that receivers read
/// without locks, rebuilt by <see cref="ReloadAsync"/>. A source keeps its queue across reloads
/// unless its tag, format or host label changed; a queue that is replaced or removed is completed,
/// so what it holds is still written.
/// </summary>
internal sealed partial class SyslogRoutes(
    LogSourceService sources,
    AccessWriter writer,
    TimeProvider clock,
    IOptions<LogsOptions> options,
    ILogger<SyslogListener> logger)
{
    /// <summary>Room for an RFC 5424 header and structured data around a line of the longest allowed length.</summary>
    private const int HeaderAllowance = 2048;

    private readonly Dictionary<int, SyslogSourceQueue> _byId = [];
    private readonly HashSet<string> _badFormats = [];
    private volatile Dictionary<string, SyslogSourceQueue> _byTag = CreateTable();
    private CancellationToken _consumerToken;

    public int MaxFrameLength { get; } = options.Value.MaxLineLength + HeaderAllowance;

    public IReadOnlyCollection<SyslogSourceQueue> Queues => _byId.Values;

    /// <summary>Lines a source may have waiting; by default two batches, so one fills while one is written.</summary>
    public int? QueueCapacity { get; set; }

    /// <summary>Consumers started from now on stop early only when this token is cancelled.</summary>
    public void Start(CancellationToken consumerToken) => _consumerToken = consumerToken;

    /// <summary>
    /// Parses a received message and, when its tag belongs to a source, copies what the consumer
    /// needs out of the (reused) receive buffer. Tags match case-insensitively.
    /// </summary>
    public SyslogRoute Route(ReadOnlySpan<byte> frame, bool tooLong, out SyslogSourceQueue? queue, out SyslogLine line)
    {
        queue = null;
        line = default;
        if (!SyslogParser.TryParse(frame, out var message, out _))
        {
            return SyslogRoute.Malformed;
        }
        Span<char> tag = stackalloc char[SyslogParser.MaxTagLength];
        var tagLength = Encoding.UTF8.GetChars(message.Tag, tag);
        if (tagLength == 0 || !_byTag.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(tag[..tagLength], out queue))
        {
            return SyslogRoute.UnknownTag;
        }
        line = SyslogLine.Rent(message.Host, message.Message, tooLong);
        return SyslogRoute.Routed;
    }

    public async Task ReloadAsync(CancellationToken ct)
    {
        var o = options.Value;
        var wanted = (await sources.ListAsync(ct))
            .Where(s => s.Kind == LogSourceKind.Syslog && s.Enabled && !string.IsNullOrWhiteSpace(s.SyslogTag))
            .OrderBy(s => s.Id)
            .ToList();
        var table = CreateTable();
        var keep = new HashSet<int>();
        foreach (var source in wanted)
        {
            var tag = source.SyslogTag!.Trim();
            if (table.TryGetValue(tag, out var other))
            {
                LogDuplicateTag(source.Name, tag, other.Source.Name);
                continue;
            }
            var signature = $"{tag}\n{source.Format}\n{source.HostLabel}\n{source.Name}";
            if (!_byId.TryGetValue(source.Id, out var queue) || queue.Signature != signature)
            {
                if (!TryCreateQueue(source, signature, o, out queue))
                {
                    continue;
                }
                _byId.GetValueOrDefault(source.Id)?.Complete();
                _byId[source.Id] = queue;
                queue.Start(_consumerToken);
                LogRouting(tag, source.Name);
            }
            table[tag] = queue;
            keep.Add(source.Id);
        }
        foreach (var id in _byId.Keys.Where(id => !keep.Contains(id)).ToList())
        {
            _byId[id].Complete();
            _byId.Remove(id);
        }
        _byTag = table;
    }

    /// <summary>Stops taking lines and waits until every queue has written what it holds.</summary>
    public async Task CompleteAllAsync()
    {
        _byTag = CreateTable();
        foreach (var queue in _byId.Values)
        {
            queue.Complete();
        }
        await Task.WhenAll(_byId.Values.Select(q => q.Completion));
    }

    private bool TryCreateQueue(LogSource source, string signature, LogsOptions o, out SyslogSourceQueue queue)
    {
        queue = null!;
        SourceContext context;
        try
        {
            context = sources.ContextFor(source);
        }
        catch (LogFormatException ex)
        {
            // Sources are validated when saved, so this is a format edited behind the app's back.
            if (_badFormats.Add(signature))
            {
                LogBadFormat(ex, source.Name);
            }
            return false;
        }
        var capacity = QueueCapacity ?? Math.Max(1024, o.BatchSize * 2);
        queue = new SyslogSourceQueue(context, signature, capacity, o.BatchSize, o.MaxRejectsPerRequest, MaxFrameLength, writer, sources, clock, logger);
        return true;
    }

    private static Dictionary<string, SyslogSourceQueue> CreateTable() => new(StringComparer.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog tag '{Tag}' now feeds source {Source}")]
    private partial void LogRouting(string tag, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog source {Source} ignored: tag '{Tag}' already feeds source {Other}")]
    private partial void LogDuplicateTag(string source, string tag, string other);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog source {Source} ignored: its format does not compile")]
    private partial void LogBadFormat(Exception ex, string source);
}

/// <summary>
/// Counts events that must not pass silently but could flood the log (unknown tags, garbage):
/// every one is counted, and a report is due at most once per interval.
/// </summary>
internal sealed class RateLimitedCounter(TimeProvider clock, TimeSpan interval)
{
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * clock.TimestampFrequency);
    private long _total;
    private long _unreported;
    private long _nextReportAt = long.MinValue;

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Counts one; returns how many to report (this one included) when a report is due, else 0.</summary>
    public long Increment()
    {
        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref _unreported);
        var now = clock.GetTimestamp();
        var next = Interlocked.Read(ref _nextReportAt);
        if (now < next || Interlocked.CompareExchange(ref _nextReportAt, now + _intervalTicks, next) != next)
        {
            return 0;
        }
        return Interlocked.Exchange(ref _unreported, 0);
    }
}
