using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, the portal's own database is backed up once at start and that backup drilled, so a new team sees a
/// backup, a passed drill and its RTO on /admin/backups at once (the daily schedules follow). Only when the target
/// has no backup yet: a restarted demo, or one whose backups people ran, is left alone. Both are queued as jobs, so
/// any node's worker runs them; two nodes starting at once queue one backup (the second is refused, 409). The drill is
/// queued when the backup's end arrives as an event (no polling).
/// </summary>
internal sealed class DemoBackups(IOptions<DemoOptions> options, BackupTargets targets, BackupHistory history, BackupRunner runner,
    BackupDrills drills, EventNotifier notifier, BackgroundHealth health, TimeProvider clock, ILogger<DemoBackups> logger) : BackgroundLoop(health, clock, logger)
{
    public const string Trigger = "demo";
    private static readonly Actor Demo = Actor.System("demo");

    protected override string LoopName => "demo.backups";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        var target = await targets.EnsureBuiltInAsync(stoppingToken);
        // Woken by the target's events (any node's worker records the backup's end), subscribed before the first look.
        var subject = BackupRunner.Id(target.Id);
        using var changed = new SemaphoreSlim(0);
        using var subscription = notifier.Subscribe(ev =>
        {
            if (ev.SubjectType == BackupEventKinds.SubjectType && ev.SubjectId == subject)
            {
                changed.Release();
            }
            return Task.CompletedTask;
        });
        if ((await history.BackupsAsync(target.Id, 1, stoppingToken)).Count == 0)
        {
            _ = await runner.QueueAsync(Demo, target.Id, Trigger, stoppingToken); // refused only when another node queued it
        }
        // The drill waits for the backup (a worker runs it in seconds; a failed one is on the page, with its reason).
        while ((await history.DrillsAsync(target.Id, 1, stoppingToken)).Count == 0
            && (await history.BackupsAsync(target.Id, 1, stoppingToken)).FirstOrDefault() is { Trigger: Trigger } backup
            && backup.Status != BackupStatus.Failed)
        {
            if (backup.Status == BackupStatus.Succeeded)
            {
                _ = await drills.QueueAsync(Demo, target.Id, backup.Id, Trigger, stoppingToken);
                break;
            }
            // A notification missed while the LISTEN connection was down costs a minute, not the drill.
            await changed.WaitAsync(TimeSpan.FromMinutes(1), stoppingToken);
        }
        MarkHealthy();
    }
}
