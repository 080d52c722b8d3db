using OpsPortal.Core.Logs;

namespace OpsPortal.Tests.Logs;

/// <summary>
/// Inside today's partition a newest-first slice must stay inside one hour, or the planner cannot use
/// that hour's partial trigram index (PathIndexes, ADR-017); before today slices grow freely.
/// </summary>
public sealed class LogSearchSliceTests
{
    private static readonly DateTime Today = new(2026, 11, 26, 0, 0, 0);
    private static readonly DateTime Start = Today.AddDays(-1);

    [Theory]
    [InlineData("2026-11-26 12:40", 15, "2026-11-26 12:25")] // inside the hour: the width decides
    [InlineData("2026-11-26 12:10", 15, "2026-11-26 12:00")] // cut at the hour it ends in
    [InlineData("2026-11-26 12:00", 60, "2026-11-26 11:00")] // ends on the hour: the whole previous hour
    [InlineData("2026-11-26 11:00", 960, "2026-11-26 10:00")] // a wide slice is still one hour
    [InlineData("2026-11-26 00:30", 960, "2026-11-26 00:00")] // never across midnight into yesterday
    [InlineData("2026-11-26 00:00", 960, "2026-11-25 08:00")] // yesterday: grows freely
    [InlineData("2026-11-25 03:00", 960, "2026-11-25 00:00")] // never before the range's start
    public void SliceStart_StaysInsideOneHourOfToday(string high, int widthMinutes, string expected)
    {
        var low = LogSearch.SliceStart(DateTime.Parse(high, System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromMinutes(widthMinutes), Start, Today);

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), low);
    }

    [Fact]
    public void SliceStart_WalksAWholeDayHourByHour()
    {
        var lows = new List<DateTime>();
        var high = Today.AddHours(23).AddMinutes(59);
        var width = TimeSpan.FromMinutes(15);
        while (high > Today)
        {
            var low = LogSearch.SliceStart(high, width, Start, Today);
            Assert.True(low < high);
            Assert.Equal(low.Date.AddHours(low.Hour), (high.AddTicks(-1)).Date.AddHours(high.AddTicks(-1).Hour));
            lows.Add(low);
            high = low;
            width = LogSearch.NextWidth(width);
        }
        Assert.Equal(Today, lows[^1]);
        Assert.Equal(25, lows.Count); // 23:44, then every hour down to 00:00
    }

    [Theory]
    [InlineData("export", true)]
    [InlineData("path:/api/*", true)]
    [InlineData("status:5xx export", true)]
    [InlineData("export OR path:/static/*", true)]
    [InlineData("export OR status:5xx", false)] // the 5xx rows need not match any path pattern
    [InlineData("-export", false)]
    [InlineData("status:5xx", false)]
    [InlineData("", false)]
    public void PathIndexes_ServeOnlyQueriesEveryMatchOfWhichHasAPathPattern(string query, bool expected) =>
        Assert.Equal(expected, PathIndexes.CanServe(OpsPortal.Core.Logs.Query.QueryParser.Parse(query)));
}
