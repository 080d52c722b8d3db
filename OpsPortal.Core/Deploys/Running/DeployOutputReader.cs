using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// The one reader of live deploy output per app process: LISTENs for the notices
/// <see cref="DeployOutputSink"/> sends on commit (from whichever process runs the script), reads the
/// new lines of each watched deploy once, and hands every viewer the lines after its own cursor.
/// Ten viewers of one deploy cost one read per batch, not ten; nothing is buffered here.
/// </summary>
public sealed partial class DeployOutputReader(
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    DeployQueries queries,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<DeployOutputReader> logger)
    : ListenLoop(direct, health, clock, logger)
{
    public const string Loop = "deploys.output";

    private ImmutableArray<Subscription> _subscribers = [];

    protected override string LoopName => Loop;

    protected override string ListenChannel => DeployOutputSink.Channel;

    /// <summary>
    /// Delivers every line after <paramref name="afterSeq"/>, in order and without gaps, as batches;
    /// lines already committed are delivered at once, later ones as they commit.
    /// </summary>
    public IDisposable Subscribe(long deployId, long afterSeq, Func<IReadOnlyList<DeployOutputLine>, Task> onLines)
    {
        var subscription = new Subscription(this, deployId, afterSeq, onLines);
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(subscription));
        _ = CatchUpAsync([subscription], long.MaxValue, CancellationToken.None);
        return subscription;
    }

    protected override async Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct)
    {
        var subscribers = _subscribers;
        if (subscribers.IsEmpty)
        {
            return;
        }
        var counts = new Dictionary<long, long>();
        foreach (var payload in payloads)
        {
            var parts = payload.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var id) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var count))
            {
                counts[id] = Math.Max(count, counts.GetValueOrDefault(id));
            }
        }
        foreach (var group in subscribers.GroupBy(s => s.DeployId))
        {
            if (counts.TryGetValue(group.Key, out var upTo))
            {
                await CatchUpAsync(group.ToList(), upTo, ct);
            }
        }
    }

    /// <summary>One read from the lowest cursor of the group, each subscriber given what lies past its own.</summary>
    private async Task CatchUpAsync(IReadOnlyList<Subscription> group, long upTo, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var from = group.Min(s => s.Cursor) + 1;
                if (from > upTo)
                {
                    return;
                }
                var lines = await queries.OutputAsync(group[0].DeployId, from, DeployQueries.MaxOutputPage, ct);
                if (lines.Count == 0)
                {
                    return;
                }
                foreach (var s in group)
                {
                    await s.DeliverAsync(lines);
                }
                if (lines.Count < DeployQueries.MaxOutputPage)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            // The next notice (or the viewer reloading) catches up: cursors only move on delivery.
            LogReadFailed(Logger, ex, group[0].DeployId);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Reading new output of deploy {DeployId} failed")]
    private static partial void LogReadFailed(ILogger logger, Exception ex, long deployId);

    [LoggerMessage(LogLevel.Debug, "A viewer of deploy {DeployId} failed to take output")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception ex, long deployId);

    private sealed class Subscription(DeployOutputReader owner, long deployId, long cursor, Func<IReadOnlyList<DeployOutputLine>, Task> onLines) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public long DeployId => deployId;
        public long Cursor => Interlocked.Read(ref cursor);

        public async Task DeliverAsync(List<DeployOutputLine> lines)
        {
            await _gate.WaitAsync();
            try
            {
                var next = Cursor;
                var fresh = lines.Where(l => l.Seq > next).ToList();
                // Contiguous only: a batch that starts past the cursor would leave a gap; the next read fills it.
                if (fresh.Count == 0 || fresh[0].Seq != next + 1)
                {
                    return;
                }
                Interlocked.Exchange(ref cursor, fresh[^1].Seq);
                await onLines(fresh);
            }
            catch (Exception ex)
            {
                // One broken viewer (a closed circuit) must not stop the others' output.
                LogSubscriberFailed(owner.Logger, ex, deployId);
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, s => s.Remove(this));
    }
}
