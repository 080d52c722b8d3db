using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Hosting;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Dashboards;

/// <summary>
/// Each node has its own in-process cache; the events spine reaches every node (LISTEN/NOTIFY, then the
/// <see cref="EventNotifier"/>), so each node drops its own cached markers (and the wall display's summary) when a deploy finishes, an incident
/// is declared or an alert fires anywhere. It subscribes at start-up, before any page, and the notifier calls
/// subscribers in order, so a page reloading on the same event reads after the entry is gone.
/// </summary>
public sealed class DashboardCacheInvalidator(EventNotifier notifier, HybridCache cache) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(async ev =>
        {
            if (DashboardMarkers.Kinds.Contains(ev.Kind))
            {
                await cache.RemoveByTagAsync(DashboardMarkers.Tag);
            }
            if (WallBoard.Subjects.Contains(ev.SubjectType))
            {
                await cache.RemoveByTagAsync(WallBoard.Tag);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
