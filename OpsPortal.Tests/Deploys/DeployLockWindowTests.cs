using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Tests.Deploys;

/// <summary>When a lock holds: now, from a later start, until an expiry, every week (maintenance windows). All UTC.</summary>
public sealed class DeployLockWindowTests
{
    // A Friday.
    private static readonly DateTimeOffset Friday16 = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    private static DeployLock Lock(DateTimeOffset starts, DateTimeOffset? expires = null, bool weekly = false) => new()
    {
        Service = "web",
        Environment = "production",
        Reason = "weekend",
        LockedBy = "ann",
        LockedAt = starts.AddDays(-1),
        StartsAt = starts,
        ExpiresAt = expires,
        RepeatsWeekly = weekly,
    };

    [Fact]
    public void HoldsAt_LockWithExpiry_HoldsFromStartUntilExpiryOnly()
    {
        var held = Lock(Friday16, Friday16.AddHours(2));

        Assert.False(held.HoldsAt(Friday16.AddSeconds(-1)));
        Assert.True(held.HoldsAt(Friday16));
        Assert.True(held.HoldsAt(Friday16.AddHours(2).AddSeconds(-1)));
        Assert.False(held.HoldsAt(Friday16.AddHours(2)));
        Assert.Null(held.NextWindow(Friday16.AddHours(3)));
    }

    [Fact]
    public void HoldsAt_WithoutExpiry_HoldsForEver()
    {
        var held = Lock(Friday16);

        Assert.True(held.HoldsAt(Friday16.AddYears(1)));
        Assert.Equal((Friday16, (DateTimeOffset?)null), held.NextWindow(Friday16.AddDays(3)));
    }

    [Fact]
    public void HoldsAt_WeeklyFridayToMonday_HoldsEveryWeekendAndNotInTheWeek()
    {
        var weekend = Lock(Friday16, Friday16.AddDays(2).AddHours(16), weekly: true); // Fri 16:00 → Mon 08:00

        Assert.True(weekend.HoldsAt(Friday16.AddDays(1)));                      // Saturday
        Assert.False(weekend.HoldsAt(Friday16.AddDays(3)));                     // Monday 16:00
        Assert.True(weekend.HoldsAt(Friday16.AddDays(7 * 10 + 2)));             // a Sunday ten weeks on
        Assert.False(weekend.HoldsAt(Friday16.AddDays(7 * 10 + 3).AddHours(-7))); // Monday 09:00 ten weeks on
        Assert.False(weekend.HoldsAt(Friday16.AddDays(-6)));                    // the weekend before it was set up
    }

    [Fact]
    public void NextWindow_WeeklyOnATuesday_IsTheComingFriday()
    {
        var weekend = Lock(Friday16, Friday16.AddDays(2).AddHours(16), weekly: true);

        var next = weekend.NextWindow(Friday16.AddDays(4 + 14))!.Value; // a Tuesday two weeks on

        Assert.Equal(Friday16.AddDays(21), next.From);
        Assert.Equal(Friday16.AddDays(23).AddHours(16), next.Until);
        Assert.Equal(Friday16.AddDays(14), weekend.NextWindow(Friday16.AddDays(15))!.Value.From); // inside one: that one
    }

    [Theory]
    [InlineData(null, -1.0, false, "in the past")]
    [InlineData(2.0, 1.0, false, "must be after the start")]
    [InlineData(null, 5.0, true, "needs its first start and end")]
    [InlineData(1.0, 1.0 + 7 * 24, true, "shorter than a week")]
    public void ScheduleProblem_BadSchedules_SaidInWords(double? startsInHours, double endsInHours, bool weekly, string expected)
    {
        var now = Friday16;
        var schedule = new DeployLockSchedule(startsInHours is { } s ? now.AddHours(s) : null, now.AddHours(endsInHours), weekly);

        Assert.Contains(expected, DeployLocks.ScheduleProblem(schedule, now), StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleProblem_GoodSchedules_None()
    {
        Assert.Null(DeployLocks.ScheduleProblem(DeployLockSchedule.Now, Friday16));
        Assert.Null(DeployLocks.ScheduleProblem(new(null, Friday16.AddHours(4)), Friday16));
        Assert.Null(DeployLocks.ScheduleProblem(new(Friday16.AddDays(-14), Friday16.AddDays(-12), true), Friday16));
    }

    [Fact]
    public void Describe_WeeklyWindow_SaysDaysAndHours()
    {
        var weekend = Lock(Friday16, Friday16.AddDays(2).AddHours(16), weekly: true);

        Assert.Equal("web/production is locked by ann every week from Fri 16:00 to Mon 08:00 UTC: weekend", DeployGuard.Describe(weekend));
        Assert.Equal("web/production is locked by ann since 2026-12-04 16:00 until 2026-12-04 18:00 UTC: weekend",
            DeployGuard.Describe(Lock(Friday16, Friday16.AddHours(2))));
    }

    [Fact]
    public void Drift_StagingAheadOfProduction_ProductionDiffers_FirstNever()
    {
        static DeployTarget Target(string env, string? version) =>
            new(new EnvironmentConfig("web", env, "/s/deploy.sh", null, null, TimeSpan.FromMinutes(1), "Engineer", false, null, "/s"), version, null, null, null);
        var board = new DeployBoard([Target("staging", "1.5"), Target("production", "1.4"), Target("dr", "1.4")],
            null, new DeploySettingsSnapshot("services.yaml", null, []));

        var row = Assert.Single(DeployDrift.Of(board));

        Assert.False(row.InSync);
        Assert.Equal([false, true, false], row.Cells.Select(c => c.Differs));
        Assert.Equal(("staging", "1.5"), (row.Cells[1].Previous, row.Cells[1].PreviousVersion));
    }
}
