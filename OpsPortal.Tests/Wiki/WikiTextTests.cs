using OpsPortal.Core.Wiki;

namespace OpsPortal.Tests.Wiki;

public sealed class WikiTextTests
{
    [Theory]
    [InlineData("Postgres replica lag", "postgres-replica-lag")]
    [InlineData("Databases/Postgres/Fail over", "databases/postgres/fail-over")]
    [InlineData("  Café  — déjà vu!! ", "cafe-deja-vu")]
    [InlineData("//a//b//", "a/b")]
    [InlineData("!!!", "")]
    public void From_Text_Slug(string text, string slug) => Assert.Equal(slug, WikiSlug.From(text));

    [Theory]
    [InlineData("databases/postgres/failover", true)]
    [InlineData("a", true)]
    [InlineData("A", false)]
    [InlineData("a//b", false)]
    [InlineData("-a", false)]
    [InlineData("a/", false)]
    [InlineData("../etc", false)]
    [InlineData("", false)]
    [InlineData("runbooks/revisions", false)]
    [InlineData("edit/x", false)]
    public void IsValid(string slug, bool valid) => Assert.Equal(valid, WikiSlug.IsValid(slug));

    [Fact]
    public void Targets_LabelsAndDuplicates()
    {
        var targets = WikiLinkParser.Targets("[[Postgres replica lag]] then [[databases/pg|the db]] and [[Postgres Replica Lag]]\n~~~\n[[x]]\n~~~");

        Assert.Equal(["postgres-replica-lag", "databases/pg"], targets);
    }

    [Theory]
    [InlineData("## Check the **standby** now", "Check the standby now")]
    [InlineData("see [[databases/pg|the db]] or [[Postgres replica lag]]", "see the db or Postgres replica lag")]
    [InlineData("read [the docs](https://example.com/x) and ![graph](/img.png)", "read the docs and graph")]
    [InlineData("- [ ] drop the `slot`\n1. then _wait_ for replica_lag", "drop the slot then wait for replica_lag")]
    [InlineData("| step | who |\n|---|:---:|\n| \uE000slot\uE001 | DBA |", "step · who · \uE000slot\uE001 · DBA")]
    [InlineData("cut off [link](https://exa", "cut off link")]
    public void SnippetText_Plain_DropsMarkdownSyntax(string markdown, string expected) =>
        Assert.Equal(expected, WikiSnippetText.Plain(markdown));
}
