namespace OpsPortal.Tests.Logs.Parsing;

/// <summary>One realistic line per preset, as nginx (or Apache) writes it.</summary>
internal static class LogLines
{
    public const string Combined =
        "203.0.113.9 - alice [17/May/2015:12:05:03 +0200] \"GET /shop/cart?id=42 HTTP/1.1\" 200 5120 "
        + "\"https://example.com/shop\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/126.0\"";

    public const string Common =
        "203.0.113.9 - - [17/May/2015:10:05:03 +0000] \"HEAD /health HTTP/1.0\" 204 -";

    public const string VhostCombined =
        "shop.example.com 2001:db8::42 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/2.0\" 301 0 \"-\" \"curl/8.5.0\"";

    public const string ApacheVhostCombined =
        "shop.example.com:443 203.0.113.9 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"curl/8.5.0\"";

    public const string OpsPortal =
        "198.51.100.7 - - [17/May/2015:10:05:03 +0000] \"POST /api/orders HTTP/1.1\" 502 157 \"-\" \"okhttp/4.12.0\""
        + " host=api.example.com scheme=https rt=1.250 urt=\"1.000, 0.200\" upstream=\"10.0.1.5:8080, 10.0.1.6:8080\""
        + " ustatus=\"504, 502\" tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256";
}
