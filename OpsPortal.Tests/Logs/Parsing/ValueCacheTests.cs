using System.Net;
using System.Text;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

public class ValueCacheTests
{
    [Fact]
    public void Utf8StringCache_RepeatedValue_ReturnsTheSameInstance()
    {
        var cache = new Utf8StringCache(slots: 16, maxLength: 64);

        var first = cache.Get("curl/8.5.0"u8);
        var second = cache.Get("curl/8.5.0"u8);

        Assert.Equal("curl/8.5.0", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Utf8StringCache_ValuesSharingOneSlot_NeverReturnsTheWrongString()
    {
        var cache = new Utf8StringCache(slots: 1, maxLength: 64);
        string[] values = ["a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "a"];

        foreach (var value in values)
        {
            Assert.Equal(value, cache.Get(Encoding.UTF8.GetBytes(value)));
        }
    }

    [Fact]
    public void Utf8StringCache_NonAsciiOrTooLong_StillDecodesCorrectly()
    {
        var cache = new Utf8StringCache(slots: 4, maxLength: 8);

        Assert.Equal("Ünïcode", cache.Get(Encoding.UTF8.GetBytes("Ünïcode")));
        Assert.Equal("Ünïcode", cache.Get(Encoding.UTF8.GetBytes("Ünïcode")));
        Assert.Equal("longer than eight", cache.Get("longer than eight"u8));
    }

    [Fact]
    public void IPAddressCache_SameAddressText_ReturnsTheSameInstance()
    {
        var cache = new IPAddressCache(v4Slots: 16, v6Slots: 16);

        Assert.Same(cache.Get("10.1.2.3"u8), cache.Get("10.1.2.3"u8));
        Assert.Same(cache.Get("2001:db8::1"u8), cache.Get("2001:db8::1"u8));
    }

    [Fact]
    public void IPAddressCache_AddressesSharingOneSlot_NeverReturnsTheWrongAddress()
    {
        var cache = new IPAddressCache(v4Slots: 1, v6Slots: 1);
        string[] values = ["10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:db8::2", "10.0.0.1", "2001:db8::1"];

        foreach (var value in values)
        {
            Assert.Equal(IPAddress.Parse(value), cache.Get(Encoding.ASCII.GetBytes(value)));
        }
    }

    [Theory]
    [InlineData("googlebot.com")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4.5")]
    [InlineData("01.2.3.4x")]
    [InlineData("not:an:address")]
    public void IPAddressCache_NotAnAddress_ReturnsNull(string text)
    {
        Assert.Null(new IPAddressCache(v4Slots: 4, v6Slots: 4).Get(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void TryParse_OneParserSharedByThreads_GivesTheSameResultsAsOneThread()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "apache_combined_elastic.log");
        var lines = File.ReadAllLines(path);
        var parser = LogFormat.Preset("combined");
        var expected = lines.Select(l => Describe(parser, l, new AccessRecord())).ToArray();

        var actual = new string[lines.Length];
        Parallel.For(0, 4, worker =>
        {
            var record = new AccessRecord();
            for (var i = 0; i < lines.Length; i++)
            {
                var line = (i + (worker * 2_500)) % lines.Length;
                var described = Describe(parser, lines[line], record);
                Assert.Equal(expected[line], described);
                actual[line] = described;
            }
        });

        Assert.Equal(expected, actual);
    }

    private static string Describe(LogParser parser, string line, AccessRecord record) =>
        parser.TryParse(line, record, out var reason)
            ? $"{record.Ip}|{record.Date:O}|{record.Method}|{record.Path}|{record.Query}|{record.Status}|{record.Size}|{record.Referrer}|{record.UserAgent}"
            : reason;
}
