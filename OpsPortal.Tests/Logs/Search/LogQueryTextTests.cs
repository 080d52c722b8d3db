using OpsPortal.Core.Logs.Query;
using OpsPortal.Web.Features.Logs.Search;

namespace OpsPortal.Tests.Logs.Search;

/// <summary>Clicked values become query text that the query language reads back as the same value.</summary>
public sealed class LogQueryTextTests
{
    [Theory]
    [InlineData("status", "404", false, "status:404")]
    [InlineData("path", "/a b", false, "path:\"/a b\"")]
    [InlineData("ua", "Mozilla/5.0 (X11; \"Linux\")", true, "-ua:\"Mozilla/5.0 (X11; \\\"Linux\\\")\"")]
    [InlineData("path", "/search?q=a*b", false, "path:\"/search?q=a*b\"")]
    [InlineData("referrer", "-", false, "referrer:\"-\"")]
    [InlineData("path", "C:\\x", false, "path:\"C:\\\\x\"")]
    public void Term_QuotesWhatNeedsIt(string field, string value, bool negate, string expected) =>
        Assert.Equal(expected, LogQueryText.Term(field, value, negate));

    [Theory]
    [InlineData("/a b")]
    [InlineData("Mozilla/5.0 (X11; \"Linux\") \\ end")]
    [InlineData("status:500 OR (x)")]
    [InlineData("")]
    public void Term_ParsesBackToAnExactMatchOnTheValue(string value)
    {
        var parameters = new SqlParameters();

        var sql = QueryCompiler.Compile(LogQueryText.Term("path", value), parameters);

        Assert.DoesNotContain(value.Length > 0 ? value : "\u0001", sql, StringComparison.Ordinal);
        Assert.Contains(parameters.Items, p => Equals(p.Value, value));
    }

    [Fact]
    public void Append_AddsWithSpace()
    {
        Assert.Equal("status:500", LogQueryText.Append(null, "status:500"));
        Assert.Equal("path:/x status:500", LogQueryText.Append(" path:/x ", "status:500"));
    }

    [Theory]
    [InlineData("15m", 15 * 60)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("2y", -1)]
    [InlineData(null, -1)]
    public void ParseRange_KnowsTheQuickRanges(string? key, int seconds) =>
        Assert.Equal(seconds < 0 ? null : TimeSpan.FromSeconds(seconds), LogQueryText.ParseRange(key));
}
