using Hangfire;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// Scheduled freezes and expiring locks on a test clock (a <see cref="TimeProvider"/> the test moves), against the
/// real database: the guard, the locks and the starter are the app's own classes, built on that clock. No runner
/// here, so nothing a test starts runs.
/// </summary>
public sealed class DeployScheduleTests : DeployTestBase
{
    private static readonly Actor Admin = new("admin@test.local", Roles.Admin);
    private static readonly Actor Engineer = new("eng@test.local", Roles.Engineer);

    // Saturday noon, the week after the weekly window was set up.
    private static readonly DateTimeOffset Friday16 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    private readonly FixedClock _clock = new(Friday16.AddDays(8).AddHours(-4));
    private DeployLocks _locks = null!;
    private DeployStarter _starter = null!;
    private DeployQueries _queries = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => Deploys.Settings(runJobs: false);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sp = Factory.Services;
        var dbs = sp.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var configs = sp.GetRequiredService<DeployConfigStore>();
        var guard = new DeployGuard(configs, sp.GetServices<IDeployCheck>(), _clock);
        var events = new EventLog(_clock);
        _locks = new DeployLocks(dbs, guard, events, _clock);
        _starter = new DeployStarter(dbs, guard, sp.GetRequiredService<DeployTickets>(), events, sp.GetRequiredService<IBackgroundJobClient>(), _clock);
        _queries = new DeployQueries(dbs, sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), configs, _clock);
    }

    [Fact]
    public async Task WeeklyFreeze_InsideTheWindowRefusedWithReason_OutsideAccepted_ShownAsComingOnTheBoard()
    {
        var weekend = new DeployLockSchedule(Friday16, Friday16.AddDays(2).AddHours(16), RepeatsWeekly: true);
        await _locks.LockAsync(Admin, "*", "*", "No deploys over the weekend", weekend).OkAsync();

        var refused = await _starter.DeployAsync(Engineer, "web", "staging", "2.0", null).RefusedAsync(RefusalKind.Conflict);
        Assert.Equal("All deploys are frozen by admin@test.local every week from Fri 16:00 to Mon 08:00 UTC: No deploys over the weekend", refused.Detail);
        Assert.Equal("Deploys are frozen", refused.Title);
        Assert.NotNull((await _queries.BoardAsync()).Freeze);

        _clock.Now = Friday16.AddDays(10).AddHours(-7); // Monday 09:00
        var board = await _queries.BoardAsync();
        Assert.Null(board.Freeze);
        var coming = Assert.Single(board.Upcoming);
        Assert.Equal(Friday16.AddDays(14), coming.From);
        var monday = await _starter.DeployAsync(Engineer, "web", "staging", "2.0", null).OkAsync();
        Assert.Equal(DeployStatus.Queued, monday.Status);
    }

    [Fact]
    public async Task Board_NextChange_IsTheWindowsNextStartOutsideIt_AndItsEndInsideIt()
    {
        _clock.Now = Friday16.AddDays(10).AddHours(-7); // Monday 09:00, between two weekend windows
        await _locks.LockAsync(Admin, "*", "*", "weekend", new DeployLockSchedule(Friday16, Friday16.AddDays(2).AddHours(16), RepeatsWeekly: true)).OkAsync();
        await _locks.LockAsync(Engineer, "web", "staging", "an hour", new DeployLockSchedule(ExpiresAt: _clock.Now.AddHours(1))).OkAsync();

        Assert.Equal(_clock.Now.AddHours(1), (await _queries.BoardAsync()).NextChange);      // the hour's lock ends first

        _clock.Now = _clock.Now.AddHours(2);
        Assert.Equal(Friday16.AddDays(14), (await _queries.BoardAsync()).NextChange);        // then the next Friday 16:00

        _clock.Now = Friday16.AddDays(14).AddHours(1);
        var inside = await _queries.BoardAsync();
        Assert.NotNull(inside.Freeze);
        Assert.Equal(Friday16.AddDays(16).AddHours(16), inside.NextChange);                  // Monday 08:00, when it ends
    }

    [Fact]
    public async Task LockWithExpiry_HoldsUntilThen_ThenGoneFromTheBoardAndANewLockIsAllowed()
    {
        await _locks.LockAsync(Engineer, "web", "staging", "migrating", new DeployLockSchedule(ExpiresAt: _clock.Now.AddHours(1))).OkAsync();
        await _locks.LockAsync(Engineer, "web", "staging", "me too").RefusedAsync(RefusalKind.Conflict);
        Assert.Contains("until", (await _starter.DeployAsync(Engineer, "web", "staging", "2.0", null).RefusedAsync(RefusalKind.Conflict)).Detail,
            StringComparison.Ordinal);

        _clock.Now = _clock.Now.AddHours(1);

        Assert.Null((await _queries.BoardAsync()).Targets.Single(t => t.Config.Name == "staging").Lock);
        Assert.Empty(await _locks.ListAsync());
        await _starter.DeployAsync(Engineer, "web", "staging", "2.0", null).OkAsync();
        await _locks.LockAsync(Engineer, "web", "staging", "again").OkAsync();
    }

    [Fact]
    public async Task ScheduledLock_LaterStart_DoesNotHoldYet_ThenHolds_AndScheduledFreezeIsForAdminsOnly()
    {
        var later = new DeployLockSchedule(_clock.Now.AddHours(2), _clock.Now.AddHours(3));
        await _locks.LockAsync(Engineer, "web", "staging", "maintenance", later).OkAsync();
        await _locks.LockAsync(Engineer, "*", "*", "freeze", later).RefusedAsync(RefusalKind.Forbidden);
        var invalid = await _locks.LockAsync(Engineer, "web", "staging", "x", new DeployLockSchedule(ExpiresAt: _clock.Now.AddHours(-1))).RefusedAsync(RefusalKind.Invalid);
        Assert.Contains("in the past", invalid.Detail, StringComparison.Ordinal);

        Assert.Equal(DeployStatus.Queued, (await _starter.DeployAsync(Engineer, "web", "quick", "2.0", null).OkAsync()).Status);
        Assert.Single((await _queries.BoardAsync()).Upcoming);
        _clock.Now = _clock.Now.AddHours(2.5);

        var refused = await _starter.DeployAsync(Engineer, "web", "staging", "2.0", null).RefusedAsync(RefusalKind.Conflict);
        Assert.Contains("maintenance", refused.Detail, StringComparison.Ordinal);
        Assert.NotNull((await _queries.BoardAsync()).Targets.Single(t => t.Config.Name == "staging").Lock);
    }
}
