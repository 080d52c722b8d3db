using System.Globalization;
using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Tests.Logs.Query;

public sealed class QueryCompilerTests
{
    internal static (string Sql, string[] Values) Compile(string query)
    {
        var p = new SqlParameters();
        var sql = QueryCompiler.Compile(query, p);
        return (sql, p.Items.Select(i => Format(i.Value)).ToArray());
    }

    private static string Format(object? value) => value switch
    {
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    [Theory]
    // Every field by its name, with the operator its kind supports.
    [InlineData("ip:10.0.0.1", "ip = $1", "10.0.0.1")]
    [InlineData("ip:10.0.0.0/8", "ip <<= $1", "10.0.0.0/8")]
    [InlineData("ip:2001:db8::/32", "ip <<= $1", "2001:db8::/32")]
    [InlineData("ip:::1", "ip = $1", "::1")]
    [InlineData("host:web1", "hostname = $1", "web1")]
    [InlineData("user:alice", "username = $1", "alice")]
    [InlineData("date:>=2026-11-26T10:00:00Z", "date >= $1", "2026-11-26T10:00:00")]
    [InlineData("date:2026-11-26T10:00:00+02:00..2026-11-26T11:00:00Z", "date BETWEEN $1 AND $2", "2026-11-26T08:00:00", "2026-11-26T11:00:00")]
    [InlineData("method:POST", "method = $1", "POST")]
    [InlineData("path:/api/*", "path ILIKE $1", "/api/%")]
    [InlineData("path:\"/a b\"", "path = $1", "/a b")]
    [InlineData("protocol:HTTP/2.0", "protocol = $1", "HTTP/2.0")]
    [InlineData("status:404", "status = $1", "404")]
    [InlineData("status:5xx", "status BETWEEN $1 AND $2", "500", "599")]
    [InlineData("status:2XX", "status BETWEEN $1 AND $2", "200", "299")]
    [InlineData("status:>=500", "status >= $1", "500")]
    [InlineData("status:>499", "status > $1", "499")]
    [InlineData("status:<=399", "status <= $1", "399")]
    [InlineData("status:<300", "status < $1", "300")]
    [InlineData("status:500..599", "status BETWEEN $1 AND $2", "500", "599")]
    [InlineData("size:>1000000", "size > $1", "1000000")]
    [InlineData("referrer:*google*", "referrer ILIKE $1", "%google%")]
    [InlineData("ua:*bot*", "useragent ILIKE $1", "%bot%")]
    [InlineData("clienttime:<=2", "clienttime <= $1", "2")]
    [InlineData("backendtime:>0.5", "backendtime > $1", "0.5")]
    [InlineData("backendtime:0.1..0.25", "backendtime BETWEEN $1 AND $2", "0.1", "0.25")]
    [InlineData("backendip:10.1.0.0/16", "backendip <<= $1", "10.1.0.0/16")]
    [InlineData("backendport:8080", "backendport = $1", "8080")]
    [InlineData("backendstatus:5xx", "backendstatus BETWEEN $1 AND $2", "500", "599")]
    [InlineData("ssl_cipher:ECDHE-*", "ssl_cipher ILIKE $1", "ECDHE-%")]
    [InlineData("ssl_protocol:TLSv1.2", "ssl_protocol = $1", "TLSv1.2")]
    [InlineData("scheme:https", "scheme = $1", "https")]
    [InlineData("id:>12345678901", "id > $1", "12345678901")]
    [InlineData("source:3", "source_id = $1", "3")]
    [InlineData("remote_host:*.example.com", "remote_host ILIKE $1", "%.example.com")]
    [InlineData("raw_request:*\\x16*", "raw_request ILIKE $1", "%\\\\x16%")]
    // Aliases and case-insensitive names.
    [InlineData("useragent:curl*", "useragent ILIKE $1", "curl%")]
    [InlineData("referer:-", "referrer = $1", "-")]
    [InlineData("hostname:web1", "hostname = $1", "web1")]
    [InlineData("username:bob", "username = $1", "bob")]
    [InlineData("source_id:2", "source_id = $1", "2")]
    [InlineData("STATUS:404", "status = $1", "404")]
    // Globs escape LIKE's own wildcards; quoted values are literal.
    [InlineData("path:/100%_off*", "path ILIKE $1", "/100\\%\\_off%")]
    [InlineData("path:\"/a*b\"", "path = $1", "/a*b")]
    [InlineData("path:\"say \\\"hi\\\"\"", "path = $1", "say \"hi\"")]
    // Bare words and phrases: a path substring.
    [InlineData("timeout", "(path ILIKE $1 OR query ILIKE $2)", "%timeout%", "%timeout%")]
    [InlineData("screen?id", "(path || coalesce('?' || query, '')) ILIKE $1", "%screen?id%")]
    [InlineData("query:id=*", "query ILIKE $1", "id=%")]
    [InlineData("path:/a?id=1", "(path || coalesce('?' || query, '')) = $1", "/a?id=1")]
    [InlineData("path:/a?id=*", "(path || coalesce('?' || query, '')) ILIKE $1", "/a?id=%")]
    [InlineData("\"exact phrase\"", "(path ILIKE $1 OR query ILIKE $2)", "%exact phrase%", "%exact phrase%")]
    [InlineData("50%_x", "(path ILIKE $1 OR query ILIKE $2)", "%50\\%\\_x%", "%50\\%\\_x%")]
    [InlineData("café", "(path ILIKE $1 OR query ILIKE $2)", "%café%", "%café%")]
    // Boolean structure.
    [InlineData("status:5xx host:web1", "(status BETWEEN $1 AND $2 AND hostname = $3)", "500", "599", "web1")]
    [InlineData("status:5xx AND host:web1", "(status BETWEEN $1 AND $2 AND hostname = $3)", "500", "599", "web1")]
    [InlineData("(status:500 OR status:502)", "(status = $1 OR status = $2)", "500", "502")]
    [InlineData("a OR b c", "((path ILIKE $1 OR query ILIKE $2) OR ((path ILIKE $3 OR query ILIKE $4) AND (path ILIKE $5 OR query ILIKE $6)))", "%a%", "%a%", "%b%", "%b%", "%c%", "%c%")]
    [InlineData("-status:2xx", "(status BETWEEN $1 AND $2) IS NOT TRUE", "200", "299")]
    [InlineData("NOT status:2xx", "(status BETWEEN $1 AND $2) IS NOT TRUE", "200", "299")]
    [InlineData("-(a OR b)", "(((path ILIKE $1 OR query ILIKE $2) OR (path ILIKE $3 OR query ILIKE $4))) IS NOT TRUE", "%a%", "%a%", "%b%", "%b%")]
    [InlineData("--a", "(((path ILIKE $1 OR query ILIKE $2)) IS NOT TRUE) IS NOT TRUE", "%a%", "%a%")]
    [InlineData("((a))", "(path ILIKE $1 OR query ILIKE $2)", "%a%", "%a%")]
    [InlineData("a - b", "((path ILIKE $1 OR query ILIKE $2) AND (path ILIKE $3 OR query ILIKE $4) AND (path ILIKE $5 OR query ILIKE $6))", "%a%", "%a%", "%-%", "%-%", "%b%", "%b%")]
    [InlineData("", "TRUE")]
    [InlineData("   ", "TRUE")]
    public void Compile_ValidQuery_GivesSqlAndParameters(string query, string sql, params string[] values)
    {
        var compiled = Compile(query);

        Assert.Equal(sql, compiled.Sql);
        Assert.Equal(values, compiled.Values);
    }

    [Fact]
    public void Fields_EveryAccessColumnHasAName()
    {
        string[] columns = ["ip", "hostname", "username", "date", "method", "path", "protocol", "status", "size",
            "referrer", "useragent", "clienttime", "backendtime", "backendip", "backendport", "backendstatus",
            "ssl_cipher", "ssl_protocol", "scheme", "id", "source_id", "remote_host", "raw_request", "query"];

        Assert.Equal(columns.Order(), QueryFields.All.Select(f => f.Column).Order());
        Assert.All(QueryFields.All, f => Assert.Same(f, QueryFields.Find(f.Column)));
    }
}
