using System.Net;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

/// <summary>Each supported variable on its own, decoded into its column.</summary>
public class LogParserVariableTests
{
    private static AccessRecord Parse(string format, string line)
    {
        var record = new AccessRecord();
        Assert.True(LogFormat.Compile(format).TryParse(line, record, out var reason), reason);
        return record;
    }

    private static string Reject(string format, string line)
    {
        var record = new AccessRecord();
        Assert.False(LogFormat.Compile(format).TryParse(line, record, out var reason));
        return reason;
    }

    [Theory]
    [InlineData("192.168.1.20")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void RemoteAddr_Address_SetsIp(string address)
    {
        var record = Parse("[$remote_addr]", $"[{address}]");

        Assert.Equal(IPAddress.Parse(address), record.Ip);
        Assert.Null(record.RemoteHost);
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("-", null)]
    public void RemoteUser_Value_SetsUsernameAndDashIsNull(string logged, string? expected)
    {
        Assert.Equal(expected, Parse("u=$remote_user;", $"u={logged};").Username);
    }

    [Theory]
    [InlineData("17/May/2015:10:05:03 +0000", "2015-05-17T10:05:03Z")]
    [InlineData("17/May/2015:12:05:03 +0200", "2015-05-17T10:05:03Z")]
    [InlineData("17/May/2015:05:35:03 -0430", "2015-05-17T10:05:03Z")]
    [InlineData("01/Jan/2016:00:30:00 +0100", "2015-12-31T23:30:00Z")]
    [InlineData("29/Feb/2024:23:59:59 -0100", "2024-03-01T00:59:59Z")]
    public void TimeLocal_AnyOffset_ConvertsToUtc(string logged, string expectedUtc)
    {
        var record = Parse("[$time_local]", $"[{logged}]");

        Assert.Equal(DateTime.Parse(expectedUtc, null, System.Globalization.DateTimeStyles.AdjustToUniversal), record.Date);
        Assert.Equal(DateTimeKind.Utc, record.Date.Kind);
    }

    [Fact]
    public void TimeLocal_FollowedBySpace_SplitsAtItsFixedWidth()
    {
        var record = Parse("$time_local $status", "17/May/2015:10:05:03 +0000 200");

        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 3, DateTimeKind.Utc), record.Date);
        Assert.Equal(200, record.Status);
    }

    [Theory]
    [InlineData("2015-05-17T12:05:03+02:00", "2015-05-17T10:05:03.0000000Z")]
    [InlineData("2015-05-17T10:05:03Z", "2015-05-17T10:05:03.0000000Z")]
    [InlineData("2015-05-17T10:05:03.250+00:00", "2015-05-17T10:05:03.2500000Z")]
    public void TimeIso8601_WithOffset_ConvertsToUtc(string logged, string expectedUtc)
    {
        var record = Parse("$time_iso8601 x", $"{logged} x");

        Assert.Equal(expectedUtc, record.Date.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Utc, record.Date.Kind);
    }

    [Fact]
    public void Msec_EpochWithMillis_SetsUtcDate()
    {
        var record = Parse("$msec $status", "1431857103.123 200");

        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 3, 123, DateTimeKind.Utc), record.Date);
        Assert.Equal(DateTimeKind.Utc, record.Date.Kind);
    }

    [Fact]
    public void Request_MethodPathProtocol_SplitsIntoColumns()
    {
        var record = Parse("\"$request\"", "\"POST /api/orders?id=7&x=%20y?z HTTP/2.0\"");

        Assert.Equal("POST", record.Method);
        Assert.Equal("/api/orders", record.Path);
        Assert.Equal("id=7&x=%20y?z", record.Query);
        Assert.Equal("HTTP/2.0", record.Protocol);
        Assert.Null(record.RawRequest);
    }

    [Theory]
    [InlineData("GET /screen?id=17&ts=1 HTTP/1.1", "/screen", "id=17&ts=1")]
    [InlineData("GET /screen? HTTP/1.1", "/screen", "")]
    [InlineData("GET /screen HTTP/1.1", "/screen", null)]
    [InlineData("GET ?a=1 HTTP/1.1", "", "a=1")]
    public void Request_QueryString_StoredApartFromThePath(string request, string path, string? query)
    {
        var record = Parse("\"$request\"", $"\"{request}\"");

        Assert.Equal((path, query), (record.Path, record.Query));
    }

    [Fact]
    public void RequestUri_QueryString_StoredApartFromThePath()
    {
        var record = Parse("$request_method $request_uri $server_protocol", "GET /screen?id=17 HTTP/1.1");

        Assert.Equal(("/screen", "id=17"), (record.Path, record.Query));
    }

    [Fact]
    public void RequestMethodUriProtocol_SeparateVariables_FillColumns()
    {
        var record = Parse("$request_method $request_uri $server_protocol", "PROPFIND /dav/a.txt HTTP/1.1");

        Assert.Equal("PROPFIND", record.Method);
        Assert.Equal("/dav/a.txt", record.Path);
        Assert.Equal("HTTP/1.1", record.Protocol);
    }

    [Theory]
    [InlineData("200", 200)]
    [InlineData("499", 499)]
    [InlineData("-", null)]
    public void Status_Value_SetsStatus(string logged, int? expected)
    {
        Assert.Equal(expected, Parse("$status .", $"{logged} .").Status);
    }

    [Theory]
    [InlineData("2x0")]
    [InlineData("2000")]
    [InlineData("")]
    public void Status_NotANumber_RejectsWithTheValue(string logged)
    {
        Assert.Equal($"bad status '{logged}'", Reject("$status .", $"{logged} ."));
    }

    [Theory]
    [InlineData("$body_bytes_sent", "1234", 1234)]
    [InlineData("$bytes_sent", "1500", 1500)]
    [InlineData("$body_bytes_sent", "-", 0)]
    [InlineData("$body_bytes_sent", "5000000000", int.MaxValue)]
    public void BytesVariables_Value_SetsSize(string variable, string logged, int expected)
    {
        Assert.Equal(expected, Parse($"{variable} .", $"{logged} .").Size);
    }

    [Fact]
    public void BytesSent_WithBodyBytesSent_BodyBytesWins()
    {
        Assert.Equal(1000, Parse("$bytes_sent $body_bytes_sent", "1234 1000").Size);
    }

    [Fact]
    public void HttpRefererAndUserAgent_Quoted_KeepSpacesAndDashIsNull()
    {
        var record = Parse("\"$http_referer\" \"$http_user_agent\"", "\"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"");

        Assert.Null(record.Referrer);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", record.UserAgent);
    }

    [Theory]
    [InlineData("$host", "shop.example.com", "shop.example.com")]
    [InlineData("$server_name", "shop.example.com", "shop.example.com")]
    [InlineData("$host", "shop.example.com:8443", "shop.example.com")]
    [InlineData("$host", "[2001:db8::5]:443", "[2001:db8::5]")]
    [InlineData("$host", "2001:db8::5", "2001:db8::5")]
    public void HostOrServerName_Value_SetsHostnameWithoutPort(string variable, string logged, string expected)
    {
        Assert.Equal(expected, Parse($"{variable} .", $"{logged} .").Hostname);
    }

    [Fact]
    public void Host_WithServerName_HostWins()
    {
        Assert.Equal("a.example", Parse("$server_name $host", "default a.example").Hostname);
    }

    [Theory]
    [InlineData("0.123", 0.123)]
    [InlineData("12", 12.0)]
    [InlineData("1e-3", 0.001)]
    public void RequestTime_Seconds_SetsClientTime(string logged, double expected)
    {
        Assert.Equal(expected, Parse("rt=$request_time .", $"rt={logged} .").ClientTime);
    }

    [Fact]
    public void RequestTime_NotANumber_Rejects()
    {
        Assert.Equal("bad request_time '0.1s'", Reject("$request_time .", "0.1s ."));
    }

    [Theory]
    [InlineData("0.010", 0.010)]
    [InlineData("0.010, 0.020", 0.030)]
    [InlineData("0.010, 0.020 : 0.005", 0.035)]
    [InlineData("-, 0.020", 0.020)]
    public void UpstreamResponseTime_List_SumsTheTimes(string logged, double expected)
    {
        Assert.Equal(expected, Parse("\"$upstream_response_time\"", $"\"{logged}\"").BackendTime!.Value, 9);
    }

    [Fact]
    public void UpstreamResponseTime_Dash_IsNull()
    {
        Assert.Null(Parse("\"$upstream_response_time\"", "\"-\"").BackendTime);
    }

    [Theory]
    [InlineData("10.0.0.1:8080", "10.0.0.1", 8080)]
    [InlineData("10.0.0.1:80, 10.0.0.2:81", "10.0.0.2", 81)]
    [InlineData("10.0.0.1:80 : 10.0.0.3:82", "10.0.0.3", 82)]
    [InlineData("[2001:db8::7]:8080", "2001:db8::7", 8080)]
    public void UpstreamAddr_List_TakesTheLastUpstream(string logged, string ip, int port)
    {
        var record = Parse("\"$upstream_addr\"", $"\"{logged}\"");

        Assert.Equal(IPAddress.Parse(ip), record.BackendIp);
        Assert.Equal(port, record.BackendPort);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("unix:/run/app.sock")]
    [InlineData("backend_pool")]
    public void UpstreamAddr_NoAddress_LeavesIpAndPortNull(string logged)
    {
        var record = Parse("\"$upstream_addr\"", $"\"{logged}\"");

        Assert.Null(record.BackendIp);
        Assert.Null(record.BackendPort);
    }

    [Theory]
    [InlineData("200", 200)]
    [InlineData("502, 200", 200)]
    [InlineData("502 : 404", 404)]
    [InlineData("-", null)]
    public void UpstreamStatus_List_TakesTheLast(string logged, int? expected)
    {
        Assert.Equal(expected, Parse("\"$upstream_status\"", $"\"{logged}\"").BackendStatus);
    }

    [Fact]
    public void UpstreamVariables_UnquotedLists_StillSplitOnSeparators()
    {
        var record = Parse(
            "$upstream_addr $upstream_response_time $upstream_status end",
            "10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 0.100, 0.200 : 0.300 502, 504 : 200 end");

        Assert.Equal(IPAddress.Parse("10.0.0.3"), record.BackendIp);
        Assert.Equal(0.6, record.BackendTime!.Value, 9);
        Assert.Equal(200, record.BackendStatus);
    }

    [Fact]
    public void SslAndScheme_Values_SetColumns()
    {
        var record = Parse("$scheme $ssl_protocol $ssl_cipher", "https TLSv1.3 TLS_AES_256_GCM_SHA384");

        Assert.Equal("https", record.Scheme);
        Assert.Equal("TLSv1.3", record.SslProtocol);
        Assert.Equal("TLS_AES_256_GCM_SHA384", record.SslCipher);
    }

    [Fact]
    public void SslVariables_PlainHttp_AreNull()
    {
        var record = Parse("$scheme $ssl_protocol $ssl_cipher", "http - -");

        Assert.Equal("http", record.Scheme);
        Assert.Null(record.SslProtocol);
        Assert.Null(record.SslCipher);
    }
}
