using System.Net;
using System.Text;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

/// <summary>The rules for real, messy logs: nothing dropped silently, nothing half-parsed.</summary>
public class LogParserMessyLineTests
{
    private const string Tail = " 400 0 \"-\" \"-\"";

    private static readonly LogParser Combined = LogFormat.Preset("combined");

    private static AccessRecord Parse(string line)
    {
        var record = new AccessRecord();
        Assert.True(Combined.TryParse(line, record, out var reason), reason);
        return record;
    }

    private static string Reject(string line, LogParser? parser = null)
    {
        var record = new AccessRecord();
        Assert.False((parser ?? Combined).TryParse(line, record, out var reason));
        return reason;
    }

    [Theory]
    [InlineData(@"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03")]
    [InlineData("")]
    [InlineData("GET /")]
    [InlineData("-")]
    [InlineData("SSH-2.0-Go")]
    [InlineData("get / http/1.1")]
    public void TryParse_RequestNotMethodPathProtocol_KeepsRawRequest(string request)
    {
        var record = Parse($"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"{request}\"{Tail}");

        Assert.Equal(request, record.RawRequest);
        Assert.Null(record.Method);
        Assert.Null(record.Path);
        Assert.Null(record.Protocol);
        Assert.Equal(400, record.Status);
    }

    [Fact]
    public void TryParse_PathWithRawSpace_KeepsItInPath()
    {
        var record = Parse($"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /a b.html HTTP/1.1\"{Tail}");

        Assert.Equal("/a b.html", record.Path);
        Assert.Null(record.RawRequest);
    }

    [Fact]
    public void TryParse_DashSize_IsZero()
    {
        Assert.Equal(0, Parse("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 304 - \"-\" \"curl/8.0\"").Size);
    }

    [Theory]
    [InlineData("crawl-66-249-73-135.googlebot.com")]
    [InlineData("localhost")]
    [InlineData("10.1")]
    public void TryParse_ClientLoggedByName_KeepsNameInRemoteHost(string client)
    {
        var record = Parse($"{client} - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\"{Tail}");

        Assert.Null(record.Ip);
        Assert.Equal(client, record.RemoteHost);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::1ff:fe23:4567:890a")]
    public void TryParse_Ipv6Client_SetsIp(string client)
    {
        var record = Parse($"{client} - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\"{Tail}");

        Assert.Equal(IPAddress.Parse(client), record.Ip);
    }

    [Fact]
    public void TryParse_EscapedBytes_AreKeptVerbatim()
    {
        var record = Parse(
            @"1.2.3.4 - - [17/May/2015:10:05:03 +0000] ""GET /q?a=\x22b\x22 HTTP/1.1"" 200 5 ""http://\xe4\xe5/"" ""x\x22y""");

        Assert.Equal(("/q", @"a=\x22b\x22"), (record.Path, record.Query));
        Assert.Equal(@"http://\xe4\xe5/", record.Referrer);
        Assert.Equal(@"x\x22y", record.UserAgent);
    }

    [Fact]
    public void TryParse_EscapedQuotesInQuotedFields_AreKeptVerbatim()
    {
        var record = Parse(
            @"1.2.3.4 - - [17/May/2015:10:05:03 +0000] ""GET /a\""b HTTP/1.1"" 200 5 ""-"" ""Bot \""quoted\"" \\ end""");

        Assert.Equal(@"/a\""b", record.Path);
        Assert.Equal(@"Bot \""quoted\"" \\ end", record.UserAgent);
    }

    [Fact]
    public void TryParse_UnclosedUserAgent_RejectsAndResetsTheRecord()
    {
        var record = new AccessRecord { Status = 999, Path = "/stale" };
        var line = "46.118.127.106 - - [20/May/2015:12:05:17 +0000] \"GET /x HTTP/1.1\" 200 235 \"-\" \"Mozilla/5.0 (compatible";

        Assert.False(Combined.TryParse(line, record, out var reason));

        Assert.Equal($"expected '\"' at column {line.Length + 1}: http_user_agent from column 80 is never closed", reason);
        Assert.Null(record.Status);
        Assert.Null(record.Path);
        Assert.Null(record.Ip);
    }

    [Fact]
    public void TryParse_MissingLiteral_NamesTheColumn()
    {
        Assert.Equal(
            "expected ' [' after remote_user at column 11",
            Reject("1.2.3.4 - - 17/May/2015:10:05:03 +0000 \"GET / HTTP/1.1\" 200 5 \"-\" \"-\""));
    }

    [Fact]
    public void TryParse_WrongLiteralAfterQuote_PointsAtIt()
    {
        Assert.Equal(
            "expected '\" ' at column 49",
            Reject("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / \"HTTP/1.1\" 200 5 \"-\" \"-\""));
    }

    [Fact]
    public void TryParse_PrefixMismatch_RejectsAtColumnOne()
    {
        Assert.Equal("expected '[' at column 1", Reject("x", LogFormat.Compile("[$status]")));
    }

    [Fact]
    public void TryParse_TrailingText_Rejects()
    {
        Assert.Equal(
            "unexpected text at column 72",
            Reject("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\" extra"));
    }

    [Fact]
    public void TryParse_BadTime_RejectsWithTheValue()
    {
        Assert.Equal(
            "bad time_local '32/May/2015:10:05:03 +0000'",
            Reject("1.2.3.4 - - [32/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\""));
    }

    [Fact]
    public void TryParse_LineOverTheLimit_RejectsWithTheLimit()
    {
        var parser = LogFormat.Compile(LogFormat.Combined, new LogParserOptions { MaxLineLength = 100 });
        var line = $"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /{new string('a', 100)} HTTP/1.1\" 200 5 \"-\" \"-\"";

        Assert.Equal("line longer than 100 bytes", Reject(line, parser));
        Assert.Equal("line longer than 100 bytes", RejectBytes(parser, Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void TryParse_DefaultLimit_Is16KiB()
    {
        var line = $"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /{new string('a', 16_384)} HTTP/1.1\" 200 5 \"-\" \"-\"";

        Assert.Equal(16_384, Combined.MaxLineLength);
        Assert.Equal("line longer than 16384 bytes", Reject(line));
    }

    [Fact]
    public void TryParse_LongLineUnderTheLimit_Parses()
    {
        var path = "/" + new string('a', 10_000);
        Assert.Equal(path, Parse($"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET {path} HTTP/1.1\" 200 5 \"-\" \"-\"").Path);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("")]
    public void TryParse_TrailingNewline_IsTolerated(string newline)
    {
        var bytes = Encoding.UTF8.GetBytes($"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"{newline}");
        var record = new AccessRecord();

        Assert.True(Combined.TryParse(bytes, record, out var reason), reason);
        Assert.Equal("ua", record.UserAgent);
    }

    [Fact]
    public void TryParse_EmptyLine_Rejects()
    {
        Assert.Equal("empty line", Reject("\n"));
    }

    [Fact]
    public void TryParse_NonAsciiUtf8_DecodesText()
    {
        Assert.Equal("Ünïcode-Agent/1.0", Parse($"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Ünïcode-Agent/1.0\"").UserAgent);
    }

    [Fact]
    public void TryParse_RecordReused_HoldsNothingFromThePreviousLine()
    {
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();
        Assert.True(parser.TryParse(LogLines.OpsPortal, record, out _));

        Assert.True(Combined.TryParse("1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"\\x16\\x03\" 400 0 \"-\" \"-\"", record, out var reason), reason);

        Assert.Null(record.Method);
        Assert.Null(record.Hostname);
        Assert.Null(record.BackendIp);
        Assert.Null(record.ClientTime);
        Assert.Null(record.SslCipher);
    }

    private static string RejectBytes(LogParser parser, byte[] line)
    {
        Assert.False(parser.TryParse(line, new AccessRecord(), out var reason));
        return reason;
    }
}
