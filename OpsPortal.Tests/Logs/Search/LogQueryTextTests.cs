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
    [InlineData(null, null, "")]
    [InlineData("host:a OR host:b", null, "(host:a OR host:b)")]
    [InlineData(null, " status:5xx ", "status:5xx")]
    [InlineData("host:a OR host:b", "status:5xx OR path:/x", "(host:a OR host:b) (status:5xx OR path:/x)")]
    public void WithService_BracketsBothSides(string? selector, string? query, string expected) =>
        Assert.Equal(expected, LogQueryText.WithService(selector, query));

    [Fact]
    public void WithService_AnOrInTheQuery_StaysInsideTheService()
    {
        var node = LogQuery.Parse(LogQueryText.WithService("host:a OR host:b", "status:5xx OR path:/x")).Value;

        // Without the brackets this would read host:a OR (host:b status:5xx) OR path:/x: other services' rows.
        var and = Assert.IsType<AndNode>(node);
        Assert.All(and.Items, item => Assert.IsType<OrNode>(item));
    }

    [Theory]
    [InlineData("15m", 15 * 60)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("2y", -1)]
    [InlineData(null, -1)]
    public void ParseRange_KnowsTheQuickRanges(string? key, int seconds) =>
        Assert.Equal(seconds < 0 ? null : TimeSpan.FromSeconds(seconds), LogQueryText.ParseRange(key));
}
