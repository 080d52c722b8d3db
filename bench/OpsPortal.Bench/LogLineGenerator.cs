using System.Globalization;
using System.Text;

namespace OpsPortal.Bench;

/// <summary>
/// Deterministic, realistic access-log lines: a skewed client mix (a few hot crawlers, a long
/// tail, ~10 % IPv6), real user agents and referrers, REST and static paths with ids and query
/// strings, mostly 2xx with some 3xx/4xx/5xx, and for opsportal the occasional retried upstream.
/// </summary>
internal sealed class LogLineGenerator(int seed)
{
    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "curl/8.5.0", "okhttp/4.12.0", "python-requests/2.32.3", "Go-http-client/1.1",
        "Prometheus/2.54.1", "kube-probe/1.31", "-",
    ];

    private static readonly string[] Referrers =
    [
        "https://www.google.com/", "https://shop.example.com/", "https://shop.example.com/cart",
        "https://shop.example.com/products/blue-widget?ref=home", "https://news.ycombinator.com/",
        "https://www.bing.com/search?q=blue+widget", "android-app://com.google.android.gm/",
    ];

    private static readonly string[] Words = ["widget", "blue", "gift", "sale", "shoes", "lamp", "desk", "usb-c", "case"];
    private static readonly string[] Hosts = ["shop.example.com", "api.example.com", "static.example.com", "admin.example.com"];

    private readonly Random _random = new(seed);
    private readonly string[] _clients = BuildClients(new Random(seed + 1), 3_000);
    private DateTime _time = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);

    public string Combined() => Prefix();

    public string OpsPortal()
    {
        var line = new StringBuilder(Prefix());
        var https = _random.Next(10) < 9;
        var backend = Pick(0.95);
        var retried = _random.Next(30) == 0;
        var rt = _random.NextDouble() * (_random.Next(50) == 0 ? 3 : 0.2);
        line.Append(CultureInfo.InvariantCulture,
            $" host={Hosts[_random.Next(Hosts.Length)]} scheme={(https ? "https" : "http")} rt={rt:0.000}");
        if (!backend)
        {
            line.Append(" urt=\"-\" upstream=\"-\" ustatus=\"-\"");
        }
        else if (retried)
        {
            line.Append(CultureInfo.InvariantCulture,
                $" urt=\"1.000, {rt * 0.5:0.000}\" upstream=\"10.0.1.{_random.Next(2, 9)}:8080, 10.0.1.{_random.Next(2, 9)}:8080\" ustatus=\"504, 200\"");
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture,
                $" urt=\"{rt * 0.9:0.000}\" upstream=\"10.0.1.{_random.Next(2, 9)}:8080\" ustatus=\"200\"");
        }

        line.Append(https ? (_random.Next(4) == 0 ? " tls=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256" : " tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256") : " tls=- cipher=-");
        return line.ToString();
    }

    private string Prefix()
    {
        _time = _time.AddMilliseconds(_random.Next(0, 400));
        var client = _clients[(int)(Math.Pow(_random.NextDouble(), 3) * _clients.Length)];
        var user = _random.Next(40) == 0 ? "alice" : "-";
        var method = _random.Next(100) switch { < 82 => "GET", < 94 => "POST", < 97 => "HEAD", < 99 => "PUT", _ => "DELETE" };
        var status = _random.Next(100) switch { < 80 => 200, < 87 => 304, < 90 => 301, < 97 => 404, < 99 => 500, _ => 502 };
        var size = status == 304 ? "-" : _random.Next(0, 250_000).ToString(CultureInfo.InvariantCulture);
        var referrer = _random.Next(10) < 4 ? "-" : Referrers[_random.Next(Referrers.Length)];
        var protocol = _random.Next(5) == 0 ? "HTTP/2.0" : "HTTP/1.1";
        return string.Create(CultureInfo.InvariantCulture,
            $"{client} - {user} [{_time:dd/MMM/yyyy:HH:mm:ss} +0000] \"{method} {Path()} {protocol}\" {status} {size} \"{referrer}\" \"{UserAgents[_random.Next(UserAgents.Length)]}\"");
    }

    private string Path() => _random.Next(8) switch
    {
        0 => "/",
        1 => $"/api/orders/{_random.Next(1_000_000)}",
        2 => $"/api/orders/{_random.Next(1_000_000)}/items?page={_random.Next(1, 20)}&per_page=50",
        3 => $"/static/js/app.{_random.Next():x8}.js",
        4 => $"/products/{Words[_random.Next(Words.Length)]}-{Words[_random.Next(Words.Length)]}?ref=home&utm_source=newsletter",
        5 => $"/search?q={Words[_random.Next(Words.Length)]}+{Words[_random.Next(Words.Length)]}",
        6 => "/healthz",
        _ => $"/images/catalog/{_random.Next(5000)}/thumb.webp",
    };

    private bool Pick(double probability) => _random.NextDouble() < probability;

    private static string[] BuildClients(Random random, int count)
    {
        var clients = new string[count];
        for (var i = 0; i < count; i++)
        {
            clients[i] = random.Next(10) == 0
                ? $"2001:db8:{random.Next(0x10000):x}::{random.Next(0x10000):x}"
                : $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
        }

        return clients;
    }
}
