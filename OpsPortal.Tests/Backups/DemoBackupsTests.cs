using Microsoft.Extensions.Options;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Demo;

namespace OpsPortal.Tests.Backups;

/// <summary>The demo's first backup and drill of the portal's own database, queued at start so a new team sees them.</summary>
public sealed class DemoBackupsTests : BackupsTestBase
{
    private DemoBackups Demo(bool on) => ActivatorUtilities.CreateInstance<DemoBackups>(Factory.Services, Options.Create(new DemoOptions { Demo = on }));

    [Fact]
    public async Task DemoStart_NoBackupYet_QueuesBackupThenDrillOfIt_ASecondStartQueuesNothing()
    {
        var history = Service<BackupHistory>();
        var target = await Service<BackupTargets>().EnsureBuiltInAsync(CancellationToken.None);
        var demo = Demo(on: true);
        await demo.StartAsync(CancellationToken.None);

        // The test is the job worker: it runs what the demo queued.
        var backup = await EventuallyAsync(async () => (await history.BackupsAsync(target.Id, 10, CancellationToken.None)).SingleOrDefault());
        Assert.Equal(DemoBackups.Trigger, backup.Trigger);
        await Service<BackupRunner>().RunAsync(backup.Id, CancellationToken.None);
        var drill = await EventuallyAsync(async () => (await history.DrillsAsync(target.Id, 10, CancellationToken.None)).SingleOrDefault());
        Assert.Equal((backup.Id, DemoBackups.Trigger), (drill.BackupId, drill.Trigger));
        await Service<BackupDrills>().RunAsync(drill.Id, CancellationToken.None);
        await demo.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30)); // done once the drill is queued
        await demo.StopAsync(CancellationToken.None);
        Assert.Equal(DrillStatus.Passed, (await history.DrillAsync(drill.Id, CancellationToken.None))!.Status);

        // A restarted demo: the target has backups, nothing more is queued.
        var again = Demo(on: true);
        await again.StartAsync(CancellationToken.None);
        await again.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        await again.StopAsync(CancellationToken.None);
        Assert.Single(await history.BackupsAsync(target.Id, 10, CancellationToken.None));
        Assert.Single(await history.DrillsAsync(target.Id, 10, CancellationToken.None));
    }

    [Fact]
    public async Task DemoOff_QueuesNothing()
    {
        var demo = Demo(on: false);
        await demo.StartAsync(CancellationToken.None);
        await demo.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        await demo.StopAsync(CancellationToken.None);

        Assert.Empty(await Service<BackupHistory>().BackupsAsync(null, 10, CancellationToken.None));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "Nothing was queued within 30 s.");
            await Task.Delay(100);
        }
    }
}
