using OpsPortal.Core.Markdown;

namespace OpsPortal.Tests.Markdown;

public sealed class MentionsTests
{
    [Fact]
    public void In_NamesAndEmails_EachOnceLowerCased()
    {
        Assert.Equal(["ann", "bob@example.com"], Mentions.In("@Ann and @bob@example.com, then @ann again."));
    }

    [Fact]
    public void In_CodeAndAddressesInText_NotMentions()
    {
        const string text = "Write to carol@example.com.\n`@dan` is code\n```\n@erin in a block\n```\nbut @fay is not.";
        Assert.Equal(["fay"], Mentions.In(text));
    }

    [Fact]
    public void In_TrailingPunctuation_Trimmed()
    {
        Assert.Equal(["gus"], Mentions.In("Thanks @gus."));
        Assert.Empty(Mentions.In(null));
        Assert.Empty(Mentions.In("no at sign"));
    }
}
