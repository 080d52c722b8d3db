using System.Globalization;
using System.Text;

namespace OpsPortal.Core.Demo;

/// <summary>
/// Realistic <c>opsportal</c>-format lines for demo mode: several hosts, a skewed mix of paths
/// and clients, a search endpoint with slow backends, and now and then a burst of 5xx on one
/// host, so the live features have something worth looking at. Production and staging of the demo
/// service have hosts of their own (the demo catalog selects them); a regressed environment
/// (<see cref="Regress"/>, after a demo deploy of a version ending in <c>-regress</c>) answers with
/// more 5xx and slower backends until it recovers.
/// </summary>
internal sealed class TrafficSimulator(Random random)
{
    /// <summary>The hosts of each environment of <c>demo-web</c>; the demo services.yaml selects them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> EnvironmentHosts = new Dictionary<string, string[]>
    {
        ["production"] = ["shop.demo.local", "api.demo.local", "static.demo.local"],
        ["staging"] = ["shop.staging.demo.local", "api.staging.demo.local"],
    };

    private static readonly string[] Hosts = [.. EnvironmentHosts.Values.SelectMany(h => h)];
    private static readonly (string Path, int Weight)[] Paths =
    [
        ("/", 20), ("/products", 14), ("/products/{id}", 18), ("/cart", 6), ("/checkout", 3), ("/api/search?q={word}", 10),
        ("/api/orders/{id}", 8), ("/api/health", 6), ("/static/app.{id}.js", 10), ("/static/logo.svg", 5), ("/login", 3),
        ("/wp-login.php", 1), ("/.env", 1),
    ];
    private static readonly string[] Words = ["lamp", "desk", "usb-c", "shoes", "gift", "chair"];
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", "kube-probe/1.31",
    ];

    private readonly int _totalWeight = Paths.Sum(p => p.Weight);
    private string? _burstHost;
    private DateTime _burstUntil;
    private readonly Dictionary<string, DateTime> _regressedUntil = new(StringComparer.Ordinal);

    /// <summary>The environment's hosts answer with ~20 % 5xx and three times slower backends until <paramref name="until"/>.</summary>
    public void Regress(string environment, DateTime until) => _regressedUntil[environment] = until;

    public void Recover(string environment) => _regressedUntil.Remove(environment);

    public bool IsRegressed(string environment, DateTime now) => _regressedUntil.TryGetValue(environment, out var until) && now < until;

    /// <summary>Starts a burst of 5xx on one host (the simulator also starts them at random).</summary>
    public void StartBurst(DateTime now, TimeSpan length)
    {
        _burstHost = Hosts[random.Next(Hosts.Length)];
        _burstUntil = now + length;
    }

    public string Line(DateTime utcNow)
    {
        if (utcNow >= _burstUntil)
        {
            _burstHost = null;
            if (random.Next(6000) == 0)
            {
                StartBurst(utcNow, TimeSpan.FromSeconds(random.Next(20, 90)));
            }
        }
        // A quarter of the requests go to staging: enough to judge its deploys.
        var environment = random.Next(4) == 0 ? "staging" : "production";
        var hosts = EnvironmentHosts[environment];
        var host = hosts[random.Next(hosts.Length)];
        var path = PickPath();
        var slow = path.StartsWith("/api/search", StringComparison.Ordinal) && random.Next(8) == 0;
        var backend = slow ? 0.8 + random.NextDouble() * 2.5 : 0.005 + random.NextDouble() * random.NextDouble() * 0.2;
        var regressed = IsRegressed(environment, utcNow);
        if (regressed)
        {
            backend = backend * 3 + 0.25;
        }
        var status = regressed && random.Next(5) == 0 ? (random.Next(3) == 0 ? 500 : 502) : Status(host, path);
        var size = status == 304 ? "-" : random.Next(200, 60_000).ToString(CultureInfo.InvariantCulture);
        var client = random.Next(10) == 0 ? $"2001:db8::{random.Next(1, 400):x}" : $"10.{random.Next(1, 4)}.{random.Next(0, 30)}.{random.Next(1, 250)}";
        var upstream = $"10.0.1.{random.Next(2, 6)}:8080";
        var method = path.StartsWith("/api/orders", StringComparison.Ordinal) && random.Next(3) == 0 ? "POST" : "GET";
        var sb = new StringBuilder(320);
        sb.Append(CultureInfo.InvariantCulture,
            $"{client} - - [{utcNow:dd/MMM/yyyy:HH:mm:ss} +0000] \"{method} {path} HTTP/1.1\" {status} {size} \"-\" \"{Agents[random.Next(Agents.Length)]}\"");
        sb.Append(CultureInfo.InvariantCulture,
            $" host={host} scheme=https rt={backend + 0.002:0.000} urt=\"{backend:0.000}\" upstream=\"{upstream}\" ustatus=\"{status}\" tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256");
        return sb.ToString();
    }

    private string PickPath()
    {
        var n = random.Next(_totalWeight);
        foreach (var (path, weight) in Paths)
        {
            if ((n -= weight) < 0)
            {
                return path.Replace("{id}", random.Next(1, 5000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{word}", Words[random.Next(Words.Length)], StringComparison.Ordinal);
            }
        }
        return "/";
    }

    private int Status(string host, string path)
    {
        if (host == _burstHost && random.Next(3) != 0)
        {
            return random.Next(2) == 0 ? 502 : 503;
        }
        if (path is "/wp-login.php" or "/.env")
        {
            return 404;
        }
        return random.Next(100) switch
        {
            < 1 => 500,
            < 4 => 404,
            < 12 => 304,
            < 14 => 301,
            _ => 200,
        };
    }
}
