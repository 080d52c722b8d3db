using System.Text;
using OpsPortal.Core;

namespace OpsPortal.Tests.Common;

public sealed class StorableTextTests
{
    [Theory]
    [InlineData(new byte[] { 0x61, 0x62 }, "ab")]
    [InlineData(new byte[] { 0x61, 0x00, 0x62 }, "a\\x00b")]
    [InlineData(new byte[] { 0xC3, 0xA9, 0x00 }, "é\\x00")]
    [InlineData(new byte[] { 0x61, 0xFF, 0x62 }, "a\\xFFb")]
    [InlineData(new byte[] { 0xE2, 0x82 }, "\\xE2\\x82")]
    [InlineData(new byte[] { 0xC3, 0x28 }, "\\xC3(")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, "😀")]
    public void FromUtf8_NulAndInvalidBytes_BecomeHexEscapes(byte[] bytes, string expected)
    {
        var text = StorableText.FromUtf8(bytes);

        Assert.Equal(expected, text);
        Assert.True(StorableText.IsStorable(text));
    }

    [Fact]
    public void Clean_RemovesNulAndReplacesLoneSurrogates()
    {
        // Not theory data: xunit's serialisation of test cases would turn the lone surrogates into U+FFFD first.
        (string Input, string Expected)[] cases =
            [("plain", "plain"), ("a\0b\0", "ab"), ("a\ud800b", "a\uFFFDb"), ("x\udc00", "x\uFFFD"), ("\ud83d\ude00\0", "\ud83d\ude00")];
        foreach (var (input, expected) in cases)
        {
            Assert.Equal(expected, StorableText.Clean(input));
            Assert.Equal(input == expected, StorableText.IsStorable(input));
        }
    }

    [Fact]
    public void Escape_MatchesWhatFromUtf8StoredForTheSameBytes()
    {
        Assert.Equal(StorableText.FromUtf8(Encoding.UTF8.GetBytes("/a\0b")), StorableText.Escape("/a\0b"));
    }
}
