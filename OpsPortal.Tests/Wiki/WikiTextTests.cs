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
}
