using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Syslog;

/// <summary>
/// One syslog source's ingestion: a bounded queue the receivers fill, and one consumer that parses
/// lines into a <see cref="LineBatch"/> written when full or <see cref="FlushDelay"/> after its
/// first line, so a line at a trickle is queryable within a second. A full queue is the
/// back-pressure: TCP receivers wait on it (slowing the sender), UDP receivers count a drop.
/// </summary>
internal sealed partial class SyslogSourceQueue
{
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(200);
    private const int WriteAttempts = 3;

    private readonly Channel<SyslogLine> _channel;
    private readonly LineBatch _batch;
    private readonly AccessWriter _writer;
    private readonly LogSourceService _sources;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _tooLongReason;
    private readonly Utf8StringCache _hosts = new(slots: 64, maxLength: 255);
    private long _dropped;
    private long _droppedUnreported;

    public SyslogSourceQueue(SourceContext source, string signature, int capacity, int batchSize, int keepRejects, int maxFrameLength,
        AccessWriter writer, LogSourceService sources, TimeProvider clock, ILogger logger)
    {
        Source = source;
        Signature = signature;
        _channel = Channel.CreateBounded<SyslogLine>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _batch = new LineBatch(source, batchSize, clock, keepRejects);
        _writer = writer;
        _sources = sources;
        _clock = clock;
        _logger = logger;
        _tooLongReason = $"syslog message longer than {maxFrameLength} bytes";
    }

    public SourceContext Source { get; }

    /// <summary>What the queue was built from (tag, format, host label): a change means a new queue.</summary>
    public string Signature { get; }

    /// <summary>UDP messages dropped because the queue was full, since the queue was made.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(CancellationToken ct) => Completion = Task.Run(() => ConsumeAsync(ct), CancellationToken.None);

    public bool TryEnqueue(SyslogLine line) => _channel.Writer.TryWrite(line);

    /// <summary>Waits for room; false when the queue was closed (its source changed or the app stops).</summary>
    public async ValueTask<bool> EnqueueAsync(SyslogLine line, CancellationToken ct)
    {
        while (await _channel.Writer.WaitToWriteAsync(ct))
        {
            if (_channel.Writer.TryWrite(line))
            {
                return true;
            }
        }
        return false;
    }

    public void CountDrop()
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _droppedUnreported);
    }

    /// <summary>Lines already queued are still written; the consumer ends after them.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Puts drops since the last report on the source, where the Sources page shows them.</summary>
    public async Task ReportDropsAsync(CancellationToken ct)
    {
        var dropped = Interlocked.Exchange(ref _droppedUnreported, 0);
        if (dropped == 0)
        {
            return;
        }
        LogDropped(Source.Name, dropped);
        try
        {
            await _sources.RecordErrorAsync(Source.Id, $"dropped {dropped} UDP messages: ingestion behind", ct);
        }
        catch
        {
            Interlocked.Add(ref _droppedUnreported, dropped);
            throw;
        }
    }

    private async Task ConsumeAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await ConsumeBatchesAsync(ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                LogAbandoned(Source.Name, _batch.LineCount + _channel.Reader.Count);
                return;
            }
            catch (Exception ex)
            {
                // A consumer that died would leave TCP senders waiting for good: log, drop the batch, go on.
                LogConsumerFailed(ex, Source.Name, _batch.LineCount);
                _batch.Clear();
            }
        }
    }

    private async Task ConsumeBatchesAsync(CancellationToken ct)
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(ct))
        {
            var first = _clock.GetTimestamp();
            while (true)
            {
                while (!_batch.IsFull && reader.TryRead(out var line))
                {
                    Add(line);
                }
                var wait = FlushDelay - _clock.GetElapsedTime(first);
                if (_batch.IsFull || wait <= TimeSpan.Zero || !await WaitForMoreAsync(reader, wait, ct))
                {
                    break;
                }
            }
            await FlushAsync(ct);
        }
    }

    private void Add(SyslogLine line)
    {
        if (line.TooLong)
        {
            _batch.Reject(_tooLongReason, line.Message);
        }
        else
        {
            _batch.Add(line.Message, line.HostLength > 0 ? _hosts.Get(line.Host) : null);
        }
        line.Return();
    }

    /// <summary>True when more lines are ready; false at the deadline or when the queue is closed.</summary>
    private async Task<bool> WaitForMoreAsync(ChannelReader<SyslogLine> reader, TimeSpan wait, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(wait, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            return await reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// A failed write is retried (the transaction makes that safe); after the last attempt the
    /// lines are given up, and that is recorded on the source rather than stalling it for good.
    /// </summary>
    private async Task FlushAsync(CancellationToken ct)
    {
        if (_batch.LineCount == 0)
        {
            return;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _batch.WriteAsync(_writer, cursor: null, ct);
                break;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                if (attempt < WriteAttempts)
                {
                    LogWriteRetry(ex, Source.Name, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _clock, ct);
                    continue;
                }
                LogWriteFailed(ex, Source.Name, _batch.LineCount);
                await TryRecordErrorAsync($"lost {_batch.LineCount} syslog lines: {ex.Message}", ct);
                break;
            }
        }
        _batch.Clear();
    }

    private async Task TryRecordErrorAsync(string error, CancellationToken ct)
    {
        try
        {
            await _sources.RecordErrorAsync(Source.Id, error, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogRecordFailed(ex, Source.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog source {Source}: dropped {Count} UDP messages, ingestion is behind")]
    private partial void LogDropped(string source, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog source {Source}: {Count} lines not written before shutdown")]
    private partial void LogAbandoned(string source, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog source {Source}: write failed (attempt {Attempt}), retrying")]
    private partial void LogWriteRetry(Exception ex, string source, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog source {Source}: gave up writing {Count} lines")]
    private partial void LogWriteFailed(Exception ex, string source, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog source {Source}: ingestion failed, {Count} lines lost")]
    private partial void LogConsumerFailed(Exception ex, string source, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog source {Source}: could not record an error on the source")]
    private partial void LogRecordFailed(Exception ex, string source);
}
