using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>The background service: one tail per enabled source, one node per source across nodes.</summary>
public sealed class FileTailServiceTests : FileTailTestBase
{
    [Fact]
    public async Task TwoNodes_OneSource_OneTailsAndTheOtherTakesOverWhenItStops()
    {
        Append(LogPath, 0, 200);
        var source = await AddSourceAsync();
        var a = await StartServiceAsync(Node("node-a"));
        await WaitUntilAsync(async () => await LockHolderAsync(source) == "node-a", "node-a to take the lock");
        var b = await StartServiceAsync(Node("node-b"));
        await AssertRowsAsync(source, 200);

        Append(LogPath, 200, 100);
        await AssertRowsAsync(source, 300);
        Assert.Equal("node-a", await LockHolderAsync(source));

        await a.StopAsync(CancellationToken.None);
        await WaitUntilAsync(async () => await LockHolderAsync(source) == "node-b", "node-b to take over");
        Append(LogPath, 300, 100);
        await AssertRowsAsync(source, 400);
        await b.StopAsync(CancellationToken.None);
        Assert.Null(await LockHolderAsync(source));
    }

    [Fact]
    public async Task Service_SourceDisabledThenEnabled_StopsAndResumesWhereItWas()
    {
        Append(LogPath, 0, 10);
        var source = await AddSourceAsync();
        var service = await StartServiceAsync(Node());
        await AssertRowsAsync(source, 10);

        await SetEnabledAsync(source, false);
        await WaitUntilAsync(async () => await LockHolderAsync(source) is null, "the tail to stop");
        Append(LogPath, 10, 10);
        await Task.Delay(600);
        Assert.Equal(10L, await RowsAsync(source));

        await SetEnabledAsync(source, true);
        await AssertRowsAsync(source, 20);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Service_NewSourceAdded_IsTailedWithoutRestart()
    {
        var service = await StartServiceAsync(Node());
        Append(LogPath, 0, 10);
        var source = await AddSourceAsync();

        await AssertRowsAsync(source, 10);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Service_RunIngestionOff_TailsNothing()
    {
        Append(LogPath, 0, 10);
        var source = await AddSourceAsync();
        var service = await StartServiceAsync(Node(configure: o => o.RunIngestion = false));

        await Task.Delay(800);
        Assert.Equal(0L, await RowsAsync(source));
        await service.StopAsync(CancellationToken.None);
    }

    private static async Task<IHostedService> StartServiceAsync(ServiceProvider node)
    {
        var service = node.GetServices<IHostedService>().OfType<FileTailService>().Single();
        await service.StartAsync(CancellationToken.None);
        return service;
    }

    /// <summary>The application name of the session holding the source's advisory lock, or null.</summary>
    private async Task<string?> LockHolderAsync(LogSource source) =>
        await ScalarAsync<object>("""
            SELECT coalesce((SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                             WHERE l.locktype = 'advisory' AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
                               AND l.granted), '')
            """, (long)FileTailService.LockClass, (long)source.Id) is string { Length: > 0 } name ? name : null;

    private async Task SetEnabledAsync(LogSource source, bool enabled)
    {
        await using var db = Db.CreateContext();
        await db.LogSources.Where(s => s.Id == source.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Enabled, enabled));
    }
}
