using System.Globalization;
using System.Text;

namespace OpsPortal.Bench;

/// <summary>
/// Writes N access-table rows as CSV (the column order of <see cref="GenerateCommand.CsvColumns"/>) spread
/// over the DAYS days before now, for the search benchmark (bench/search-bench.sh). Faster than
/// formatting and re-parsing log lines. The mix: a daily traffic curve (night ≈ a third of the midday
/// peak), 6 virtual hosts of unequal size, 6,000 clients with skewed popularity (internal 10.1.0.0/16
/// and other 10.x, 192.168.x, public IPv4, ~10 % IPv6), REST (/api/*), static, product, search and
/// health-check paths with ids, a rare admin export path, mostly 2xx with 3xx/4xx and ~2 % 5xx
/// (more 5xx in a short incident the day before), log-normal backend times.
/// </summary>
internal sealed class AccessCsvGenerator(int seed)
{
    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0", "okhttp/4.12.0", "python-requests/2.32.3", "Go-http-client/1.1", "Prometheus/2.54.1", "kube-probe/1.31",
    ];
    private static readonly string[] Referrers =
        ["https://www.google.com/", "https://shop.example.com/", "https://shop.example.com/cart", "https://www.bing.com/search?q=blue+widget"];
    private static readonly string[] Words = ["widget", "blue", "gift", "sale", "shoes", "lamp", "desk", "usb-c", "case"];
    private static readonly (string Host, int Weight)[] Hosts =
        [("shop.example.com", 40), ("api.example.com", 30), ("static.example.com", 15), ("admin.example.com", 3), ("web-01", 7), ("web-02", 5)];

    private readonly Random _r = new(seed);

    public int Run(int count, string csvPath, int days)
    {
        var end = DateTime.UtcNow;
        var start = end.AddDays(-days);
        var times = Times(count, start, end);
        var clients = Clients(6_000);
        var hosts = Hosts.SelectMany(h => Enumerable.Repeat(h.Host, h.Weight)).ToArray();
        var incident = end.AddDays(-1).AddHours(-3);
        using var csv = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder(512);
        for (var i = 0; i < count; i++)
        {
            var t = new DateTime(times[i], DateTimeKind.Utc);
            var client = clients[(int)(Math.Pow(_r.NextDouble(), 3) * clients.Length)];
            var host = hosts[_r.Next(hosts.Length)];
            var method = _r.Next(100) switch { < 82 => "GET", < 94 => "POST", < 97 => "HEAD", < 99 => "PUT", _ => "DELETE" };
            var path = Path();
            var inIncident = t >= incident && t < incident.AddMinutes(20);
            var status = inIncident && _r.Next(4) == 0 ? 503 : _r.Next(1000) switch
            {
                < 790 => 200,
                < 800 => 201,
                < 870 => 304,
                < 890 => 301,
                < 960 => 404,
                < 975 => 403,
                < 980 => 400,
                < 992 => 500,
                < 996 => 502,
                < 998 => 503,
                _ => 504,
            };
            var backend = _r.Next(100) < 95;
            var bt = Math.Min(60, Math.Exp(-3.2 + 1.0 * Normal())) * (status >= 500 ? 8 : 1);
            var ct = bt + _r.NextDouble() * 0.01;
            var https = _r.Next(10) < 9;
            line.Clear();
            F(line, client); F(line, host); F(line, _r.Next(40) == 0 ? "alice" : null);
            F(line, t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
            // Stored as ingestion stores it (ADR-044): the path without its query string, which is the last column.
            var mark = path.IndexOf('?', StringComparison.Ordinal);
            F(line, method); F(line, mark < 0 ? path : path[..mark]); F(line, _r.Next(5) == 0 ? "HTTP/2.0" : "HTTP/1.1"); F(line, N(status));
            F(line, status == 304 ? null : N(_r.Next(0, 250_000)));
            F(line, _r.Next(10) < 4 ? null : Referrers[_r.Next(Referrers.Length)]);
            F(line, UserAgents[_r.Next(UserAgents.Length)]);
            F(line, ct.ToString("0.000", CultureInfo.InvariantCulture));
            F(line, backend ? bt.ToString("0.000", CultureInfo.InvariantCulture) : null);
            F(line, backend ? $"10.0.1.{_r.Next(2, 9)}" : null); F(line, backend ? "8080" : null); F(line, backend ? N(status) : null);
            F(line, https ? "TLS_AES_128_GCM_SHA256" : null); F(line, https ? "TLSv1.3" : null); F(line, https ? "https" : "http");
            F(line, "1"); F(line, null); F(line, null); F(line, mark < 0 ? null : path[(mark + 1)..], last: true);
            csv.Write(line);
        }
        Console.Error.WriteLine($"generated {count} rows from {start:O} to {end:O}");
        return 0;
    }

    // Arrivals with a daily curve (peak around midday UTC, night at ~1/3 of it), scaled to fill [start, end).
    private long[] Times(int count, DateTime start, DateTime end)
    {
        var ticks = new long[count];
        var spanHours = (end - start).TotalHours;
        double t = 0;
        for (var i = 0; i < count; i++)
        {
            // Position by row number is close enough to place the row on the daily curve.
            var hour = (start.TimeOfDay.TotalHours + spanHours * i / count) % 24;
            var rate = 1 + 0.5 * Math.Sin((hour - 9) / 24 * 2 * Math.PI);
            t += -Math.Log(1 - _r.NextDouble()) / rate;
            ticks[i] = (long)(t * 1_000_000);
        }
        var scale = (end - start).Ticks / (t * 1_000_000 + 1);
        for (var i = 0; i < count; i++)
        {
            ticks[i] = start.Ticks + (long)(ticks[i] * scale);
        }
        return ticks;
    }

    private string[] Clients(int n)
    {
        var clients = new string[n];
        for (var i = 0; i < n; i++)
        {
            clients[i] = _r.Next(100) switch
            {
                < 12 => $"10.1.{_r.Next(256)}.{_r.Next(1, 255)}",
                < 20 => $"10.{_r.Next(2, 255)}.{_r.Next(256)}.{_r.Next(1, 255)}",
                < 25 => $"192.168.{_r.Next(256)}.{_r.Next(1, 255)}",
                < 90 => $"{_r.Next(11, 224)}.{_r.Next(256)}.{_r.Next(256)}.{_r.Next(1, 255)}",
                _ => $"2001:db8:{_r.Next(0x10000):x}::{_r.Next(0x10000):x}",
            };
        }
        return clients;
    }

    private string Path() => _r.Next(1000) switch
    {
        < 120 => "/",
        < 280 => $"/api/orders/{_r.Next(1_000_000)}",
        < 380 => $"/api/orders/{_r.Next(1_000_000)}/items?page={_r.Next(1, 20)}&per_page=50",
        < 430 => $"/api/users/{_r.Next(200_000)}/profile",
        < 470 => "/api/cart",
        < 580 => $"/static/js/app.{_r.Next(64):x8}.js",
        < 680 => $"/products/{Words[_r.Next(Words.Length)]}-{Words[_r.Next(Words.Length)]}?ref=home&utm_source=newsletter",
        < 760 => $"/search?q={Words[_r.Next(Words.Length)]}+{Words[_r.Next(Words.Length)]}",
        < 880 => "/healthz",
        < 999 => $"/images/catalog/{_r.Next(5000)}/thumb.webp",
        _ => $"/admin/reports/export?format=csv&month={_r.Next(1, 13)}",
    };

    private double Normal() => Math.Sqrt(-2 * Math.Log(1 - _r.NextDouble())) * Math.Cos(2 * Math.PI * _r.NextDouble());

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void F(StringBuilder line, string? value, bool last = false)
    {
        if (value is not null)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        line.Append(last ? '\n' : ',');
    }
}
