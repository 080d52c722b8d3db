using Bunit;
using OpsPortal.Core.OnCall.Schedules;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.OnCall;

namespace OpsPortal.Tests.Web;

/// <summary>The on-call calendar and "who is on call" table: what someone deciding whom to call reads.</summary>
public sealed class OnCallComponentTests : MudComponentTest
{
    private static readonly DateTimeOffset From = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CalendarRow_ShiftsPlacedByTime_ClippedToTheRange_NobodyLeftOut()
    {
        ScheduleShift[] shifts =
        [
            new(From.AddDays(-1), From.AddDays(1), "ann@x.test", "weekly", null), // started before the range: clipped at its left edge
            new(From.AddDays(1), From.AddDays(3), "bob@x.test", "weekly", null),
            new(From.AddDays(3), From.AddDays(4), null, null, null),              // nobody: no bar
        ];
        var cut = Ctx.Render<CalendarRow>(p => p.Add(x => x.Label, "weekly").Add(x => x.Shifts, shifts)
            .Add(x => x.From, From).Add(x => x.To, From.AddDays(4)).Add(x => x.Zone, "Europe/Berlin"));

        var bars = cut.FindAll(".oncall-cal-bar");
        Assert.Equal(2, bars.Count);
        Assert.Equal("ann@x.test", bars[0].GetAttribute("data-person"));
        Assert.Contains("left:0%;width:25%", bars[0].GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("left:25%;width:50%", bars[1].GetAttribute("style"), StringComparison.Ordinal);
        // Times in the schedule's zone (Berlin is UTC+1 in December).
        Assert.Contains("Tue 08 Dec 01:00 → Thu 10 Dec 01:00", bars[1].GetAttribute("title"), StringComparison.Ordinal);
    }

    [Fact]
    public void OnCallNowTable_PersonUntilAndNext_OverrideMarked()
    {
        OnCallNow[] now =
        [
            new(1, "web primary", "Europe/Berlin", "carol@x.test", null, 9, From.AddHours(8), "ann@x.test", false),
            new(2, "db", "UTC", null, null, null, null, null, false),
        ];
        var cut = Ctx.Render<OnCallNowTable>(p => p.Add(x => x.Now, now));

        var rows = cut.FindAll("[data-testid=oncall-now-row]");
        Assert.Contains("carol@x.test", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("override", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Mon 07 Dec 09:00 Europe/Berlin", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("ann@x.test", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("nobody", rows[1].TextContent, StringComparison.Ordinal);
    }
}
