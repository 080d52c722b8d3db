using Bunit;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Logs.Search;

namespace OpsPortal.Tests.Web;

public sealed class QuerySuggestionsTests : MudComponentTest
{
    [Theory]
    [InlineData("sta", "status:", "status:")]
    [InlineData("path:/x -u", "ua:", "path:/x -ua:")]
    [InlineData("(status:500 OR back", "backendtime:", "(status:500 OR backendtime:")]
    public void TypingAFieldPrefix_OffersFields_AndClickCompletes(string query, string chip, string expected)
    {
        string? completed = null;
        var cut = Ctx.Render<QuerySuggestions>(p => p.Add(x => x.Query, query).Add(x => x.OnComplete, q => completed = q));

        cut.FindAll(".mud-chip").Single(c => c.TextContent.Trim() == chip).Click();

        Assert.Equal(expected, completed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("status:5")]
    [InlineData("\"quoted")]
    [InlineData("zzz")]
    public void NothingToComplete_RendersNothing(string query)
    {
        var cut = Ctx.Render<QuerySuggestions>(p => p.Add(x => x.Query, query));

        Assert.Empty(cut.FindAll("[data-testid=query-suggestions]"));
    }

    [Fact]
    public void QueryChangedAfterFirstRender_OffersFields()
    {
        var cut = Ctx.Render<QuerySuggestions>(p => p.Add(x => x.Query, ""));

        cut.Render(p => p.Add(x => x.Query, "sta"));

        Assert.Single(cut.FindAll("[data-testid=query-suggestions]"));
    }
}
