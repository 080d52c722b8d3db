using System.Net.Http.Json;
using Bunit;
using Microsoft.AspNetCore.TestHost;
using MudBlazor.Services;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Backups;

namespace OpsPortal.Tests.Backups;

/// <summary>Staleness by age on a test clock: a target whose last good backup grows older than its threshold is announced once, warned on Home, and recovers.</summary>
public sealed class BackupStalenessTests : BackupsTestBase
{
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    [Fact]
    public async Task Sweep_LastGoodBackupOlderThanThreshold_EventOnceAndHomeWarning_ThenRecovers()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(client);
        var backup = await BackUpAsync(client, targetId);
        Assert.Equal(DrillStatus.Passed, (await DrillAsync(client, backup.Id)).Status);
        var health = Service<BackupHealth>();

        // 25 h after the backup: within the portal target's 26 h.
        _clock.Now = _clock.Now.AddHours(25);
        await health.SweepAsync(null, CancellationToken.None);
        Assert.DoesNotContain(BackupEventKinds.WentStale, await EventKindsAsync(targetId));
        Assert.All(await health.StatusAsync(CancellationToken.None), s => Assert.Empty(s.Problems));

        // 27 h: stale, announced once however often the sweep runs (two nodes, twice).
        _clock.Now = _clock.Now.AddHours(2);
        await Task.WhenAll(health.SweepAsync(null, CancellationToken.None), health.SweepAsync(null, CancellationToken.None));
        await health.SweepAsync(null, CancellationToken.None);
        Assert.Single(await EventKindsAsync(targetId), BackupEventKinds.WentStale);
        var target = (await client.GetFromJsonAsync<List<BackupTargetView>>("/api/backups/targets", Json))!.Single(t => t.Id == targetId);
        Assert.Contains("the last good backup is 27 h old (limit 26 h)", target.StaleReason, StringComparison.Ordinal);
        await HomeWarnsAsync("the last good backup is 27 h old (limit 26 h)");

        // A new good backup: recovered, announced once, the warning gone.
        await BackUpAsync(client, targetId);
        await health.SweepAsync(null, CancellationToken.None);
        Assert.Single(await EventKindsAsync(targetId), BackupEventKinds.Recovered);
        Assert.All(await health.StatusAsync(CancellationToken.None), s => Assert.Empty(s.Problems));

        // A drill's age counts too: 193 h after the only drill (limit 192 h).
        _clock.Now = _clock.Now.AddHours(193 - 27);
        await BackUpAsync(client, targetId);
        await health.SweepAsync(null, CancellationToken.None);
        await HomeWarnsAsync("the last good drill is 193 h old (limit 192 h)");
    }

    [Fact]
    public async Task Status_NeverBackedUp_WarnsOnHomeBeforeDue_ThenStaleOnceWhenDue()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(client);
        var health = Service<BackupHealth>();

        // Just added, nothing due: healthy for the staleness rules (no event), but not shown as healthy.
        await health.SweepAsync(null, CancellationToken.None);
        var fresh = (await health.StatusAsync(CancellationToken.None)).Single(s => s.Target.Id == targetId);
        Assert.True(fresh.IsHealthy);
        Assert.True(fresh.NeverBackedUp);
        Assert.DoesNotContain(BackupEventKinds.WentStale, await EventKindsAsync(targetId));
        await HomeWarnsAsync("never backed up yet — the first scheduled backup runs 2026-12-02 02:00Z; stale from 2026-12-02 14:00Z");

        // Due and still nothing: the staleness rule as before, announced once; the warning says so instead.
        _clock.Now = _clock.Now.AddHours(27);
        await health.SweepAsync(null, CancellationToken.None);
        var due = (await health.StatusAsync(CancellationToken.None)).Single(s => s.Target.Id == targetId);
        Assert.False(due.NeverBackedUp);
        Assert.Single(await EventKindsAsync(targetId), BackupEventKinds.WentStale);
        await HomeWarnsAsync("no good backup in the 26 h since the target was added");

        // Backed up: no longer "never".
        await BackUpAsync(client, targetId);
        Assert.False((await health.StatusAsync(CancellationToken.None)).Single(s => s.Target.Id == targetId).NeverBackedUp);
    }

    /// <summary>Home's backups warning, as the component renders it on the test clock, says <paramref name="problem"/>.</summary>
    private async Task HomeWarnsAsync(string problem)
    {
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(Service<BackupHealth>());
        ctx.Services.AddSingleton(Service<EventNotifier>());
        ctx.Services.AddSingleton<TimeProvider>(_clock);
        // As in a live circuit (after the services: it reads them).
        ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var card = ctx.Render<BackupsHomeCard>();
        card.WaitForAssertion(() => Assert.Contains(problem, card.Find("[data-testid=backups-home-warning]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
