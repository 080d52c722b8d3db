using Bunit;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Features.Wiki;

namespace OpsPortal.Tests.Web;

public sealed class WikiDiffTableTests
{
    [Fact]
    public async Task Render_ChangedWordsMarked_FoldedRunsCounted_TextEncoded()
    {
        await using var ctx = new BunitContext();
        var old = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\nrestart the primary <b>now</b>";
        var diff = WikiDiff.Compare(old, old.Replace("primary", "replica", StringComparison.Ordinal));

        var table = ctx.Render<WikiDiffTable>(p => p.Add(t => t.Diff, diff));

        Assert.Equal("primary", table.Find("tr.del .chg").TextContent);
        Assert.Equal("replica", table.Find("tr.ins .chg").TextContent);
        Assert.Contains("17 unchanged lines", table.Find("tr.gap").TextContent);
        Assert.Empty(table.FindAll("td b"));
    }

    [Fact]
    public async Task Render_Identical_SaysSo()
    {
        await using var ctx = new BunitContext();

        var table = ctx.Render<WikiDiffTable>(p => p.Add(t => t.Diff, WikiDiff.Compare("a", "a")));

        Assert.Equal("No differences.", table.Find("[data-testid=wiki-diff-identical]").TextContent);
    }
}
