using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Common;

namespace OpsPortal.Tests.Web;

/// <summary>Home reads the deploy board again when a window starts or ends by itself: at the boundary, not before, once.</summary>
public sealed class BoundaryTimerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arm_FiresJustAfterTheBoundary_NotBefore()
    {
        var clock = new ManualClock(T0);
        using var timer = new BoundaryTimer();
        var fired = 0;

        timer.Arm(clock, T0.AddMinutes(10), () => { fired++; return Task.CompletedTask; });

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, fired);
        clock.Advance(BoundaryTimer.Slack);
        Assert.Equal(1, fired);
        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Arm_AgainReplacesThePendingOne_NullDisarms_DisposeStops()
    {
        var clock = new ManualClock(T0);
        var timer = new BoundaryTimer();
        var fired = new List<string>();

        timer.Arm(clock, T0.AddMinutes(10), () => { fired.Add("first"); return Task.CompletedTask; });
        timer.Arm(clock, T0.AddMinutes(5), () => { fired.Add("second"); return Task.CompletedTask; });
        Assert.Equal(1, clock.Pending);
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(["second"], fired);

        timer.Arm(clock, T0.AddMinutes(20), () => { fired.Add("third"); return Task.CompletedTask; });
        timer.Arm(clock, null, () => { fired.Add("never"); return Task.CompletedTask; });
        Assert.Equal(0, clock.Pending);
        timer.Arm(clock, T0.AddMinutes(30), () => { fired.Add("disposed"); return Task.CompletedTask; });
        timer.Dispose();
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["second"], fired);
    }

    [Fact]
    public void Arm_BoundaryAWeekAway_RechecksWithinADay()
    {
        var clock = new ManualClock(T0);
        using var timer = new BoundaryTimer();
        var fired = 0;

        timer.Arm(clock, T0.AddDays(7), () => { fired++; return Task.CompletedTask; });
        clock.Advance(BoundaryTimer.Longest);

        Assert.Equal(1, fired);
    }
}
