using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// Sends queued deliveries, on every node. A round claims due rows with <c>FOR UPDATE SKIP LOCKED</c> (each row
/// goes to exactly one node, which holds it for <see cref="NotificationsOptions.Lease"/>), sends them, and records
/// each outcome — sent, retry at a backed-off time, or given up — with an attempt row and, when final, an event.
/// An outcome the database cannot take yet (an outage) is kept in memory and written before anything new is
/// claimed, so a sent delivery is never sent again because its outcome was lost. A new message wakes the worker
/// through the events spine; otherwise it sleeps until the next retry is due (at most <see cref="NotificationsOptions.PollInterval"/>).
/// </summary>
internal sealed partial class NotificationDeliveryWorker(
    IDbContextFactory<OpsDbContext> dbs,
    NpgsqlDataSource dataSource,
    NotificationSender sender,
    EventNotifier notifier,
    EventLog events,
    IOptions<NotificationsOptions> options,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<NotificationDeliveryWorker> logger) : BackgroundLoop(health, clock, logger)
{
    private const int BatchSize = 20;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger _logger = logger;
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<Outcome> _unrecorded = new();

    /// <summary>This process's name in claims and attempt rows.</summary>
    public string Node { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override string LoopName => "notifications.delivery";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunDelivery)
        {
            return;
        }
        using var subscription = notifier.Subscribe(ev =>
        {
            if (ev.Kind == NotificationEventKinds.Queued)
            {
                _doorbell.Writer.TryWrite(true);
            }
            return Task.CompletedTask;
        });
        while (!stoppingToken.IsCancellationRequested)
        {
            await RecordOutcomesAsync(stoppingToken);
            var claimed = await ClaimAsync(stoppingToken);
            if (claimed.Count > 0)
            {
                await SendAllAsync(claimed, stoppingToken);
                await RecordOutcomesAsync(stoppingToken);
                MarkHealthy();
                continue;
            }
            MarkHealthy();
            await WaitAsync(await NextDueInAsync(stoppingToken), stoppingToken);
        }
    }

    /// <summary>Wakes the worker now (tests, the "send test message" button on this node).</summary>
    public void Wake() => _doorbell.Writer.TryWrite(true);

    private async Task WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var rung = _doorbell.Reader.WaitToReadAsync(delay.Token).AsTask();
        var slept = Task.Delay(wait, _clock, delay.Token);
        await Task.WhenAny(rung, slept);
        await delay.CancelAsync();
        _doorbell.Reader.TryRead(out _);
    }

    private async Task<TimeSpan> NextDueInAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = _clock.GetUtcNow();
        var next = await db.Set<NotificationDelivery>()
            .Where(d => d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Sending)
            .Select(d => d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : d.LeaseUntil!.Value)
            .OrderBy(t => t).Cast<DateTimeOffset?>().FirstOrDefaultAsync(ct);
        var poll = options.Value.PollInterval;
        return next is { } at ? TimeSpan.FromTicks(Math.Clamp((at - now).Ticks, 0, poll.Ticks)) : poll;
    }

    private sealed record Claim(long Id, bool Reclaimed, string? PreviousNode);

    /// <summary>Takes up to a batch of due deliveries (and ones whose node's lease ran out) for this node, atomically.</summary>
    private async Task<List<(NotificationDelivery Delivery, NotificationChannel? Channel)>> ClaimAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var claims = new List<Claim>();
        await using (var cmd = dataSource.CreateCommand("""
            WITH due AS (
                SELECT id, status AS was, claimed_by AS was_by
                FROM notification_deliveries
                WHERE (status = 'Pending' AND next_attempt_at <= $1) OR (status = 'Sending' AND lease_until < $1)
                ORDER BY next_attempt_at, id
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            UPDATE notification_deliveries d
            SET status = 'Sending', claimed_by = $3, lease_until = $4, attempts = d.attempts + 1
            FROM due WHERE d.id = due.id
            RETURNING d.id, due.was = 'Sending', due.was_by
            """))
        {
            cmd.Parameters.AddWithValue(now);
            cmd.Parameters.AddWithValue(BatchSize);
            cmd.Parameters.AddWithValue(Node);
            cmd.Parameters.AddWithValue(now + options.Value.Lease);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                claims.Add(new Claim(reader.GetInt64(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        if (claims.Count == 0)
        {
            return [];
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var ids = claims.Select(c => c.Id).ToList();
        var deliveries = await db.Set<NotificationDelivery>().AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(ct);
        var channelIds = deliveries.Where(d => d.ChannelId is not null).Select(d => d.ChannelId!.Value).Distinct().ToList();
        var channels = await db.Set<NotificationChannel>().AsNoTracking().Where(c => channelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        // A node that stopped mid-send leaves an attempt whose outcome nobody knows: say so in the log.
        foreach (var lost in claims.Where(c => c.Reclaimed))
        {
            var number = deliveries.Single(d => d.Id == lost.Id).Attempts - 1;
            db.Add(new NotificationAttempt
            {
                DeliveryId = lost.Id,
                Number = number,
                StartedAt = now,
                Error = $"Node {lost.PreviousNode} stopped during this attempt (its claim expired); the outcome is unknown, so it is sent again.",
                Node = lost.PreviousNode ?? "?",
            });
        }
        await db.SaveChangesAsync(ct);
        return deliveries.Select(d => (d, d.ChannelId is { } c ? channels.GetValueOrDefault(c) : null)).ToList();
    }

    private async Task SendAllAsync(List<(NotificationDelivery Delivery, NotificationChannel? Channel)> claimed, CancellationToken ct)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = CancellationToken.None };
        await Parallel.ForEachAsync(claimed, parallel, async (item, _) =>
        {
            var startedAt = _clock.GetUtcNow();
            SendOutcome outcome;
            try
            {
                outcome = await sender.SendAsync(item.Delivery, item.Channel, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                outcome = new SendOutcome(false, false, null, "Interrupted: the portal was stopping.", _clock.GetUtcNow() - startedAt);
            }
            catch (Exception ex)
            {
                // A bug in a sender must not lose the claim's outcome; the exception type is enough for the log.
                LogSendCrashed(ex, item.Delivery.Id);
                outcome = new SendOutcome(false, false, null, $"Internal error: {ex.GetType().Name}", _clock.GetUtcNow() - startedAt);
            }
            _unrecorded.Enqueue(new Outcome(item.Delivery, item.Channel?.Name, startedAt, outcome));
        });
    }

    private sealed record Outcome(NotificationDelivery Delivery, string? ChannelName, DateTimeOffset StartedAt, SendOutcome Result);

    /// <summary>Writes the outcomes in order; one that fails stays first in the queue for the next round (after an outage).</summary>
    private async Task RecordOutcomesAsync(CancellationToken ct)
    {
        while (_unrecorded.TryPeek(out var outcome))
        {
            // Recording must finish even while the host stops: the send already happened.
            await RecordAsync(outcome, ct.IsCancellationRequested ? CancellationToken.None : ct);
            _unrecorded.TryDequeue(out _);
        }
    }

    private async Task RecordAsync(Outcome o, CancellationToken ct)
    {
        var opts = options.Value;
        var now = _clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var delivery = await db.Set<NotificationDelivery>().SingleOrDefaultAsync(d => d.Id == o.Delivery.Id, ct);
        if (delivery is null)
        {
            return; // its channel was deleted meanwhile (the cascade took the delivery and its log)
        }
        var r = o.Result;
        db.Add(new NotificationAttempt
        {
            DeliveryId = delivery.Id,
            Number = o.Delivery.Attempts,
            StartedAt = o.StartedAt,
            DurationMs = (int)Math.Min(int.MaxValue, r.Duration.TotalMilliseconds),
            Succeeded = r.Succeeded,
            ResponseCode = r.ResponseCode,
            Error = r.Error,
            Node = Node,
        });
        if (delivery.Status != DeliveryStatus.Sending || delivery.ClaimedBy != Node)
        {
            // Our claim expired and another node took the delivery over: it owns the outcome now.
            await db.SaveChangesAsync(ct);
            return;
        }
        delivery.ClaimedBy = null;
        delivery.LeaseUntil = null;
        delivery.LastResponseCode = r.ResponseCode;
        delivery.LastError = r.Error;
        var name = o.ChannelName ?? delivery.DestinationLabel ?? "a personal destination";
        var service = delivery.Labels.GetValueOrDefault("service");
        var payload = new { deliveryId = delivery.Id, channelId = delivery.ChannelId, attempts = delivery.Attempts, responseCode = r.ResponseCode };
        if (r.Succeeded)
        {
            delivery.Status = DeliveryStatus.Sent;
            delivery.FinishedAt = now;
            events.Append(db, NotificationOutbox.Actor, NotificationEventKinds.Delivered, delivery.SubjectType, delivery.SubjectId,
                $"Notification \"{delivery.Subject}\" delivered to {name}", service, payload);
        }
        else if (r.Permanent || delivery.Attempts >= opts.MaxAttempts)
        {
            delivery.Status = DeliveryStatus.Failed;
            delivery.FinishedAt = now;
            var why = r.Permanent ? "not accepted" : $"given up after {delivery.Attempts} attempts";
            events.Append(db, NotificationOutbox.Actor, NotificationEventKinds.Failed, delivery.SubjectType, delivery.SubjectId,
                $"Notification \"{delivery.Subject}\" to {name} {why}: {r.Error}", service, payload);
            LogGaveUp(delivery.Id, delivery.Attempts, r.Error);
        }
        else
        {
            delivery.Status = DeliveryStatus.Pending;
            delivery.NextAttemptAt = now + RetryDelay(delivery.Attempts, r.RetryAfter);
            LogRetrying(delivery.Id, delivery.Attempts, r.Error, delivery.NextAttemptAt);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>RetryDelay × 2^(attempts−1), ±20 % jitter so a burst of failures does not retry in lockstep, capped; at least Retry-After.</summary>
    internal TimeSpan RetryDelay(int attempts, TimeSpan? retryAfter)
    {
        var opts = options.Value;
        var exponential = opts.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var jittered = exponential * (0.8 + Random.Shared.NextDouble() * 0.4);
        var delay = TimeSpan.FromMilliseconds(Math.Min(jittered, opts.MaxRetryDelay.TotalMilliseconds));
        return retryAfter is { } after && after > delay ? TimeSpan.FromTicks(Math.Min(after.Ticks, opts.MaxRetryDelay.Ticks)) : delay;
    }

    [LoggerMessage(LogLevel.Warning, "Notification delivery {DeliveryId} failed (attempt {Attempt}): {Error}; next attempt at {NextAttempt}")]
    private partial void LogRetrying(long deliveryId, int attempt, string? error, DateTimeOffset nextAttempt);

    [LoggerMessage(LogLevel.Error, "Notification delivery {DeliveryId} given up after {Attempts} attempt(s): {Error}")]
    private partial void LogGaveUp(long deliveryId, int attempts, string? error);

    [LoggerMessage(LogLevel.Error, "Sending notification delivery {DeliveryId} crashed")]
    private partial void LogSendCrashed(Exception ex, long deliveryId);

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
