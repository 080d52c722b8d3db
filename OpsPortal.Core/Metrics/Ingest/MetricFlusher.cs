using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Metrics.Storage;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// Writes this node's closed flush intervals shortly after each interval ends, and its listener counters
/// to <c>metric_nodes</c>. While the database is away, closed intervals wait in memory (up to
/// <see cref="MetricsOptions.MaxPendingIntervals"/>; beyond that the oldest are dropped and counted) and are
/// written in order once it is back; each is written exactly once (<see cref="MetricWriter"/>). On shutdown
/// the open interval is written too.
/// </summary>
public sealed partial class MetricFlusher(
    MetricIngest ingest,
    MetricWriter writer,
    MetricNodeReporter reporter,
    MetricNode node,
    IOptions<MetricsOptions> options,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<MetricFlusher> logger) : BackgroundLoop(health, clock, logger)
{
    private static readonly TimeSpan AfterIntervalEnd = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = clock;
    private readonly Queue<CompletedInterval> _pending = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _dropped;
    private int _pendingCount;

    protected override string LoopName => "metrics.flush";

    /// <summary>Closed intervals not yet written (the database was away).</summary>
    public int Pending => Volatile.Read(ref _pendingCount);

    /// <summary>Intervals dropped because too many waited while the database was away.</summary>
    public long DroppedIntervals => Interlocked.Read(ref _dropped);

    /// <summary>Writes what has closed now; the loop does this after every interval, tests call it to skip the wait.</summary>
    internal async Task FlushAsync(bool all, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await FlushPendingAsync(all, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FlushPendingAsync(bool all, CancellationToken ct)
    {
        foreach (var interval in ingest.TakeCompleted(all))
        {
            _pending.Enqueue(interval);
        }
        while (_pending.Count > options.Value.MaxPendingIntervals)
        {
            var lost = _pending.Dequeue();
            Interlocked.Increment(ref _dropped);
            LogDropped(lost.Start, lost.Points.Count);
        }
        Volatile.Write(ref _pendingCount, _pending.Count);
        while (_pending.TryPeek(out var next))
        {
            if (!await writer.WriteAsync(node.Id, next, ct))
            {
                LogAlreadyWritten(next.Seq);
            }
            else
            {
                // How far behind the database is (bench/statsd-bench.sh reads it): interval end → committed.
                LogWritten(next.Seq, next.Points.Count, (long)(_clock.GetUtcNow().UtcDateTime - (next.Start + options.Value.FlushInterval)).TotalMilliseconds);
            }
            _pending.Dequeue();
            Volatile.Write(ref _pendingCount, _pending.Count);
        }
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.StatsdPort == 0 && o.GraphitePort == 0)
        {
            return;
        }
        try
        {
            while (true)
            {
                await WaitForIntervalEndAsync(o.FlushInterval, stoppingToken);
                await FlushAsync(false, stoppingToken);
                await reporter.ReportAsync(Pending, DroppedIntervals, stoppingToken);
                MarkHealthy();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            using var budget = new CancellationTokenSource(ShutdownBudget);
            try
            {
                await FlushAsync(true, budget.Token);
            }
            catch (Exception ex)
            {
                LogShutdownFlushFailed(ex, Pending);
            }
        }
    }

    private Task WaitForIntervalEndAsync(TimeSpan interval, CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var next = new DateTime(now.Ticks - now.Ticks % interval.Ticks, DateTimeKind.Utc) + interval + AfterIntervalEnd;
        return Task.Delay(next - now, _clock, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: dropped the interval of {Start:o} ({Points} points): too many intervals waited for the database")]
    private partial void LogDropped(DateTime start, int points);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics: wrote interval {Seq}, {Points} points, {LagMs} ms after it ended")]
    private partial void LogWritten(long seq, int points, long lagMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics: interval {Seq} had already been written (its commit was acknowledged late); not written again")]
    private partial void LogAlreadyWritten(long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics: could not write the last intervals on shutdown; {Pending} interval(s) lost")]
    private partial void LogShutdownFlushFailed(Exception ex, int pending);
}
