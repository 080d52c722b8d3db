using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Events;

/// <summary>
/// In-process fan-out of committed events to whoever is interested (Blazor components, hubs,
/// jobs). Fed only by <see cref="EventListener"/>, so an event committed by any process on the
/// database reaches subscribers in every process the same way.
/// </summary>
public sealed partial class EventNotifier(ILogger<EventNotifier> logger)
{
    private ImmutableArray<Func<OpsEvent, Task>> _subscribers = [];

    public IDisposable Subscribe(Func<OpsEvent, Task> handler)
    {
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(handler));
        return new Subscription(this, handler);
    }

    internal async Task PublishAsync(OpsEvent ev)
    {
        foreach (var handler in _subscribers)
        {
            try
            {
                await handler(ev);
            }
            catch (Exception ex)
            {
                // One broken subscriber (a closed circuit, say) must not starve the others.
                LogSubscriberFailed(ex, ev.Id);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "An event subscriber failed on event {EventId}")]
    private partial void LogSubscriberFailed(Exception ex, long eventId);

    private sealed class Subscription(EventNotifier owner, Func<OpsEvent, Task> handler) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref owner._subscribers, s => s.Remove(handler));
    }
}
