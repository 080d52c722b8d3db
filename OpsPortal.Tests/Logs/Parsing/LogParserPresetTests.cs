using System.Net;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

public class LogParserPresetTests
{
    private static AccessRecord Parse(string preset, string line)
    {
        var record = new AccessRecord();
        Assert.True(LogFormat.Preset(preset).TryParse(line, record, out var reason), reason);
        return record;
    }

    [Fact]
    public void Combined_RealisticLine_FillsItsColumns()
    {
        var r = Parse("combined", LogLines.Combined);

        Assert.Equal(IPAddress.Parse("203.0.113.9"), r.Ip);
        Assert.Equal("alice", r.Username);
        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 3, DateTimeKind.Utc), r.Date);
        Assert.Equal(("GET", "/shop/cart", "id=42", "HTTP/1.1"), (r.Method, r.Path, r.Query, r.Protocol));
        Assert.Equal(200, r.Status);
        Assert.Equal(5120, r.Size);
        Assert.Equal("https://example.com/shop", r.Referrer);
        Assert.Equal("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/126.0", r.UserAgent);
        Assert.Null(r.Hostname);
        Assert.Null(r.ClientTime);
    }

    [Fact]
    public void Common_RealisticLine_FillsItsColumns()
    {
        var r = Parse("common", LogLines.Common);

        Assert.Equal(("HEAD", "/health", "HTTP/1.0"), (r.Method, r.Path, r.Protocol));
        Assert.Equal(204, r.Status);
        Assert.Equal(0, r.Size);
        Assert.Null(r.Username);
        Assert.Null(r.UserAgent);
    }

    [Fact]
    public void VhostCombined_NginxLine_FillsHostname()
    {
        var r = Parse("vhost_combined", LogLines.VhostCombined);

        Assert.Equal("shop.example.com", r.Hostname);
        Assert.Equal(IPAddress.Parse("2001:db8::42"), r.Ip);
        Assert.Equal(301, r.Status);
        Assert.Equal("curl/8.5.0", r.UserAgent);
    }

    [Fact]
    public void VhostCombined_ApacheLineWithPort_DropsThePort()
    {
        Assert.Equal("shop.example.com", Parse("vhost_combined", LogLines.ApacheVhostCombined).Hostname);
    }

    [Fact]
    public void OpsPortal_RealisticLine_FillsEveryColumn()
    {
        var r = Parse("opsportal", LogLines.OpsPortal);

        Assert.Equal(IPAddress.Parse("198.51.100.7"), r.Ip);
        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 3, DateTimeKind.Utc), r.Date);
        Assert.Equal(("POST", "/api/orders", "HTTP/1.1"), (r.Method, r.Path, r.Protocol));
        Assert.Equal(502, r.Status);
        Assert.Equal(157, r.Size);
        Assert.Null(r.Referrer);
        Assert.Equal("okhttp/4.12.0", r.UserAgent);
        Assert.Equal("api.example.com", r.Hostname);
        Assert.Equal("https", r.Scheme);
        Assert.Equal(1.25, r.ClientTime);
        Assert.Equal(1.2, r.BackendTime!.Value, 9);
        Assert.Equal(IPAddress.Parse("10.0.1.6"), r.BackendIp);
        Assert.Equal(8080, r.BackendPort);
        Assert.Equal(502, r.BackendStatus);
        Assert.Equal("TLSv1.3", r.SslProtocol);
        Assert.Equal("TLS_AES_128_GCM_SHA256", r.SslCipher);
        Assert.Null(r.RawRequest);
    }

    [Fact]
    public void OpsPortal_PlainHttpWithoutUpstream_LeavesThoseColumnsNull()
    {
        var r = Parse(
            "opsportal",
            "10.0.0.1 - - [17/May/2015:10:05:03 +0000] \"GET /static/app.css HTTP/1.1\" 200 900 \"-\" \"curl/8\""
            + " host=www.example.com scheme=http rt=0.000 urt=\"-\" upstream=\"-\" ustatus=\"-\" tls=- cipher=-");

        Assert.Equal(0.0, r.ClientTime);
        Assert.Null(r.BackendTime);
        Assert.Null(r.BackendIp);
        Assert.Null(r.BackendPort);
        Assert.Null(r.BackendStatus);
        Assert.Null(r.SslProtocol);
        Assert.Null(r.SslCipher);
    }

    [Fact]
    public void Combined_OpsPortalLine_IsRejectedNotTruncated()
    {
        var record = new AccessRecord();
        Assert.False(LogFormat.Preset("combined").TryParse(LogLines.OpsPortal, record, out var reason));
        Assert.StartsWith("unexpected text at column", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_SameLineAsStringAndBytes_GivesTheSameRecord()
    {
        var parser = LogFormat.Preset("opsportal");
        var fromString = new AccessRecord();
        var fromBytes = new AccessRecord();

        Assert.True(parser.TryParse(LogLines.OpsPortal, fromString, out _));
        Assert.True(parser.TryParse(System.Text.Encoding.UTF8.GetBytes(LogLines.OpsPortal + "\n"), fromBytes, out _));

        Assert.Equal(Snapshot(fromString), Snapshot(fromBytes));
    }

    private static string Snapshot(AccessRecord r) =>
        string.Join("|", typeof(AccessRecord).GetProperties().Select(p => $"{p.Name}={p.GetValue(r)}"));
}
