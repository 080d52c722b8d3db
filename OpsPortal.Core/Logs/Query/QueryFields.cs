namespace OpsPortal.Core.Logs.Query;

public enum FieldKind
{
    Text,
    Integer,
    BigInteger,
    Number,
    Address,
    Time,
}

/// <summary>A searchable column: the name users type, the column it maps to, and how values parse.</summary>
public sealed record QueryField(string Name, string Column, FieldKind Kind, string Description, params string[] Aliases)
{
    /// <summary>Status classes such as <c>5xx</c> make sense only for HTTP status codes.</summary>
    public bool HasStatusClasses => Column is "status" or "backendstatus";
}

/// <summary>
/// The whitelist between the query language and SQL: a column name reaches SQL only from this table,
/// never from the query text.
/// </summary>
public static class QueryFields
{
    public static IReadOnlyList<QueryField> All { get; } =
    [
        new("ip", "ip", FieldKind.Address, "client address; an address or a CIDR block (10.0.0.0/8)"),
        new("host", "hostname", FieldKind.Text, "virtual host ($host) or the source's host label", "hostname"),
        new("user", "username", FieldKind.Text, "authenticated user ($remote_user)", "username"),
        new("date", "date", FieldKind.Time, "request time, UTC (date:>=2026-11-26T10:00Z)", "time"),
        new("method", "method", FieldKind.Text, "HTTP method"),
        new("path", "path", FieldKind.Text, "request path with query string", "url", "uri"),
        new("protocol", "protocol", FieldKind.Text, "HTTP/1.1, HTTP/2.0 …", "proto"),
        new("status", "status", FieldKind.Integer, "response status; 5xx for a class"),
        new("size", "size", FieldKind.Integer, "response body bytes", "bytes"),
        new("referrer", "referrer", FieldKind.Text, "Referer header", "referer", "ref"),
        new("ua", "useragent", FieldKind.Text, "User-Agent header", "useragent", "agent"),
        new("clienttime", "clienttime", FieldKind.Number, "request time in seconds ($request_time)", "rt"),
        new("backendtime", "backendtime", FieldKind.Number, "upstream response time in seconds", "urt"),
        new("backendip", "backendip", FieldKind.Address, "upstream address; an address or a CIDR block", "upstream"),
        new("backendport", "backendport", FieldKind.Integer, "upstream port"),
        new("backendstatus", "backendstatus", FieldKind.Integer, "upstream status; 5xx for a class", "ustatus"),
        new("ssl_cipher", "ssl_cipher", FieldKind.Text, "TLS cipher", "cipher"),
        new("ssl_protocol", "ssl_protocol", FieldKind.Text, "TLS version (TLSv1.2 …)", "tls"),
        new("scheme", "scheme", FieldKind.Text, "http or https"),
        new("id", "id", FieldKind.BigInteger, "row id"),
        new("source", "source_id", FieldKind.Integer, "log source id", "source_id"),
        new("remote_host", "remote_host", FieldKind.Text, "client logged by name rather than address", "rhost"),
        new("raw_request", "raw_request", FieldKind.Text, "request line that is not METHOD PATH PROTOCOL", "raw"),
    ];

    private static readonly Dictionary<string, QueryField> ByName = All
        .SelectMany(f => f.Aliases.Prepend(f.Name).Select(n => (n, f)))
        .ToDictionary(p => p.n, p => p.f, StringComparer.OrdinalIgnoreCase);

    public static IEnumerable<string> Names => ByName.Keys;

    internal static QueryField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The closest known name within two edits, for "did you mean …?".</summary>
    internal static string? Suggest(string name)
    {
        var lower = name.ToLowerInvariant();
        return ByName.Keys
            .Select(n => (Name: n, Distance: Distance(lower, n)))
            .Where(p => p.Distance <= 2 && p.Distance < Math.Max(lower.Length, 2))
            .OrderBy(p => p.Distance)
            .Select(p => ByName[p.Name].Name)
            .FirstOrDefault();
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64)
        {
            return int.MaxValue;
        }
        // Optimal string alignment: a transposition ("stauts") counts as one edit.
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
