using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Logs.Storage;


namespace OpsPortal.Tests.Logs.Search;

/// <summary>
/// Inside today's partition a newest-first slice must stay inside one hour, or the planner cannot use
/// that hour's partial trigram index (PathIndexes, ADR-017); before today slices grow freely.
/// </summary>
public sealed class LogSearchSliceTests
{
    private static readonly DateTime Today = new(2026, 11, 26, 0, 0, 0);
    private static readonly DateTime Now = Today.AddHours(13).AddMinutes(30);
    private static readonly DateTime Start = Today.AddDays(-1);

    [Theory]
    [InlineData("2026-11-26 13:30", 15, "2026-11-26 13:15")] // current hour: quarters
    [InlineData("2026-11-26 13:10", 60, "2026-11-26 13:00")]
    [InlineData("2026-11-26 12:30", 960, "2026-11-26 12:15")] // previous hour: quarters too
    [InlineData("2026-11-26 12:00", 960, "2026-11-26 11:00")] // earlier today: whole hours, however wide
    [InlineData("2026-11-26 10:40", 15, "2026-11-26 10:25")] // inside one hour the width decides
    [InlineData("2026-11-26 00:30", 960, "2026-11-26 00:00")] // never across midnight into yesterday
    [InlineData("2026-11-26 00:00", 960, "2026-11-25 08:00")] // yesterday: grows freely
    [InlineData("2026-11-25 03:00", 960, "2026-11-25 00:00")] // never before the range's start
    [InlineData("2026-11-28 00:00", 15, "2026-11-26 13:30")] // the future: one slice with the current quarter
    public void SliceStart_StaysInsideOneIndexSegmentOfToday(string high, int widthMinutes, string expected)
    {
        var low = LogRowSearch.SliceStart(DateTime.Parse(high, System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromMinutes(widthMinutes), Start, Now);

        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), low);
    }

    [Fact]
    public void SliceStart_WithoutAPathPattern_IgnoresSegments() =>
        Assert.Equal(Today.AddHours(9), LogRowSearch.SliceStart(Today.AddHours(13), TimeSpan.FromHours(4), Start, null));

    [Fact]
    public void SliceStart_WalksAWholeDaySegmentBySegment()
    {
        var now = Today.AddHours(23).AddMinutes(59);
        var lows = new List<DateTime>();
        var high = now;
        var width = TimeSpan.FromMinutes(15);
        while (high > Today)
        {
            var low = LogRowSearch.SliceStart(high, width, Start, now);
            Assert.True(low < high);
            Assert.True(PathIndexes.SegmentOf(low, now).End >= high, $"{low:HH:mm}–{high:HH:mm} crosses a segment");
            lows.Add(low);
            high = low;
            width = LogRowSearch.NextWidth(width);
        }
        Assert.Equal(Today, lows[^1]);
        Assert.Equal(30, lows.Count); // 23:45 … 22:00 by quarters, then every hour down to 00:00
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
