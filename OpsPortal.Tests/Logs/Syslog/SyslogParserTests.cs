using System.Text;
using OpsPortal.Core.Logs.Syslog;

namespace OpsPortal.Tests.Logs.Syslog;

/// <summary>RFC 3164 and RFC 5424 as real senders write them: nginx, rsyslog, the RFCs' own examples.</summary>
public class SyslogParserTests
{
    private const string AccessLine =
        "203.0.113.9 - - [26/Nov/2026:10:00:00 +0000] \"GET /api/x HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"";

    /// <summary>The parts of a message as strings, so the ref struct can leave the parse.</summary>
    private sealed record Parsed(SyslogFormat Format, int Facility, int Severity, string Timestamp, string Host, string Tag,
        string ProcessId, string MessageId, string StructuredData, string Message);

    private static Parsed Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    private static Parsed Parse(byte[] bytes)
    {
        Assert.True(SyslogParser.TryParse(bytes, out var m, out var error), SyslogParser.Describe(error));
        Assert.Equal(SyslogParseError.None, error);
        static string S(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);
        return new Parsed(m.Format, m.Facility, m.Severity, S(m.Timestamp), S(m.Host), S(m.Tag), S(m.ProcessId),
            S(m.MessageId), S(m.StructuredData), S(m.Message));
    }

    private static SyslogParseError Fail(string text)
    {
        Assert.False(SyslogParser.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        return error;
    }

    [Fact]
    public void TryParse_NginxDefault_ReadsPriorityHostTagAndLine()
    {
        var m = Parse($"<190>Nov 26 10:00:00 web1 nginx: {AccessLine}");

        Assert.Equal(SyslogFormat.Rfc3164, m.Format);
        Assert.Equal(23, m.Facility); // local7, nginx's default
        Assert.Equal(6, m.Severity); // info
        Assert.Equal("Nov 26 10:00:00", m.Timestamp);
        Assert.Equal("web1", m.Host);
        Assert.Equal("nginx", m.Tag);
        Assert.Equal(AccessLine, m.Message);
    }

    [Fact]
    public void TryParse_NginxNoHostname_TagWithoutHost()
    {
        var m = Parse($"<190>Nov 26 10:00:00 shop_web: {AccessLine}");

        Assert.Equal("", m.Host);
        Assert.Equal("shop_web", m.Tag);
        Assert.Equal(AccessLine, m.Message);
    }

    [Theory]
    [InlineData("<13>Nov  6 09:05:01 web1 opsportal: hello", "Nov  6 09:05:01", "web1", "opsportal", "", "hello")]
    [InlineData("<30>Nov 26 10:00:00 db2 sshd[1234]: Accepted key", "Nov 26 10:00:00", "db2", "sshd", "1234", "Accepted key")]
    [InlineData("<30>Nov 26 10:00:00 cron[77]: started", "Nov 26 10:00:00", "", "cron", "77", "started")]
    [InlineData("<134>2026-11-26T10:00:00.123456+01:00 web2 nginx: x", "2026-11-26T10:00:00.123456+01:00", "web2", "nginx", "", "x")]
    [InlineData("<14>Nov 26 10:00:00.250 web3 app: y", "Nov 26 10:00:00.250", "web3", "app", "", "y")]
    [InlineData("<190>Nov 26 10:00:00 2001:db8::5 nginx: 2001:db8::1 - -", "Nov 26 10:00:00", "2001:db8::5", "nginx", "", "2001:db8::1 - -")]
    [InlineData("<13>nginx: no timestamp", "", "", "nginx", "", "no timestamp")]
    [InlineData("<13>Nov 26 10:00:00 web1 no tag here", "Nov 26 10:00:00", "web1", "", "", "no tag here")]
    [InlineData("<13>just words", "", "", "", "", "just words")]
    [InlineData("<0>Nov 26 10:00:00 h t:", "Nov 26 10:00:00", "h", "t", "", "")]
    public void TryParse_Rfc3164Shapes_SplitsFields(string text, string timestamp, string host, string tag, string pid, string message)
    {
        var m = Parse(text);

        Assert.Equal(SyslogFormat.Rfc3164, m.Format);
        Assert.Equal((timestamp, host, tag, pid, message), (m.Timestamp, m.Host, m.Tag, m.ProcessId, m.Message));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\0")]
    [InlineData("\r\n\0")]
    public void TryParse_TrailingLineEnd_NotPartOfMessage(string end) =>
        Assert.Equal(AccessLine, Parse($"<190>Nov 26 10:00:00 web1 nginx: {AccessLine}{end}").Message);

    [Fact]
    public void TryParse_Rfc5424WithStructuredDataAndBom_ReadsEveryField()
    {
        // RFC 5424 section 6.5, example 3.
        var bytes = Encoding.UTF8.GetBytes(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 " +
            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \uFEFFAn application event log entry...");

        var m = Parse(bytes);

        Assert.Equal(SyslogFormat.Rfc5424, m.Format);
        Assert.Equal((20, 5), (m.Facility, m.Severity));
        Assert.Equal("2003-10-11T22:14:15.003Z", m.Timestamp);
        Assert.Equal("mymachine.example.com", m.Host);
        Assert.Equal("evntslog", m.Tag);
        Assert.Equal("", m.ProcessId);
        Assert.Equal("ID47", m.MessageId);
        Assert.Equal("[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]", m.StructuredData);
        Assert.Equal("An application event log entry...", m.Message);
    }

    [Theory]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed", "su", "'su root' failed")]
    [InlineData("<190>1 2026-11-26T10:00:00+00:00 web1 nginx 4242 - - " + AccessLine, "nginx", AccessLine)]
    [InlineData("<14>1 - - - - - - hello", "", "hello")]
    [InlineData("<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [a@1 iut=\"3\"]", "evntslog", "")]
    [InlineData("<165>1 2003-10-11T22:14:15.003Z h app - - -", "app", "")]
    [InlineData("<165>1 2003-10-11T22:14:15.003Z h app - - [a@1 x=\"q\\\"]\"][b@1] [not sd]", "app", "[not sd]")]
    public void TryParse_Rfc5424Shapes_TagAndMessage(string text, string tag, string message)
    {
        var m = Parse(text);

        Assert.Equal(SyslogFormat.Rfc5424, m.Format);
        Assert.Equal((tag, message), (m.Tag, m.Message));
    }

    [Fact]
    public void TryParse_Rfc5424EscapedBracketInValue_DoesNotEndElement()
    {
        var m = Parse("<165>1 - h app - - [a@1 x=\"q\\]r\" y=\"]\"] msg");

        Assert.Equal("[a@1 x=\"q\\]r\" y=\"]\"]", m.StructuredData);
        Assert.Equal("msg", m.Message);
    }

    [Theory]
    [InlineData("", SyslogParseError.Empty)]
    [InlineData("\r\n", SyslogParseError.Empty)]
    [InlineData("hello world", SyslogParseError.BadPriority)]
    [InlineData("203.0.113.9 - - [26/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1", SyslogParseError.BadPriority)]
    [InlineData("<192>Nov 26 10:00:00 h t: x", SyslogParseError.BadPriority)]
    [InlineData("<1a>x", SyslogParseError.BadPriority)]
    [InlineData("<>x", SyslogParseError.BadPriority)]
    [InlineData("<13", SyslogParseError.BadPriority)]
    [InlineData("<0013>x", SyslogParseError.BadPriority)]
    [InlineData("<-1>x", SyslogParseError.BadPriority)]
    [InlineData("<13>1 yesterday h app - - - msg", SyslogParseError.BadTimestamp)]
    [InlineData("<13>1 2026-11-26T10:00:00Z h", SyslogParseError.BadHeader)]
    [InlineData("<13>1 2026-11-26T10:00:00Z h app  - - - msg", SyslogParseError.BadHeader)]
    [InlineData("<13>1 - h app - -", SyslogParseError.BadHeader)]
    [InlineData("<13>1 - h app - - ", SyslogParseError.BadStructuredData)]
    [InlineData("<13>1 - h app - - [a@1 x=\"1\" msg", SyslogParseError.BadStructuredData)]
    [InlineData("<13>1 - h app - - []", SyslogParseError.BadStructuredData)]
    [InlineData("<13>1 - h app - - [x]y", SyslogParseError.BadStructuredData)]
    [InlineData("<13>1 - h app - - -msg", SyslogParseError.BadStructuredData)]
    public void TryParse_Garbage_FailsWithReason(string text, object reason) // object: the enum is internal, a test method public
    {
        var expected = (SyslogParseError)reason;
        Assert.Equal(expected, Fail(text));
        Assert.False(string.IsNullOrWhiteSpace(SyslogParser.Describe(expected)));
    }

    [Fact]
    public void TryParse_Rfc5424AppNameLongerThan48_BadHeader() =>
        Assert.Equal(SyslogParseError.BadHeader, Fail($"<13>1 - h {new string('a', 49)} - - - msg"));

    [Fact]
    public void TryParse_Rfc3164TagLongerThan48_NotATag()
    {
        var m = Parse($"<13>Nov 26 10:00:00 h {new string('a', 49)}: msg");

        Assert.Equal("", m.Tag);
    }

    [Fact]
    public void TryParse_ManyMessages_AllocatesNothing()
    {
        var rfc3164 = Encoding.UTF8.GetBytes($"<190>Nov 26 10:00:00 web1 nginx: {AccessLine}");
        var rfc5424 = Encoding.UTF8.GetBytes("<165>1 2003-10-11T22:14:15.003Z h app 1 ID [a@1 x=\"y\"] " + AccessLine);
        var length = 0;
        _ = SyslogParser.TryParse(rfc3164, out _, out _);
        _ = SyslogParser.TryParse(rfc5424, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = SyslogParser.TryParse(rfc3164, out var a, out _);
            _ = SyslogParser.TryParse(rfc5424, out var b, out _);
            length += a.Message.Length + b.Tag.Length;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(length > 0);
    }
}
