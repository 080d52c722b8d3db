using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OpsPortal.Core.Alerts;

/// <summary>One check_http result: the state, the latency (the series' value) and what was seen.</summary>
internal sealed record HttpCheckResult(AlertState State, double? LatencyMs, int? Status, int? CertDaysLeft, string Message);

/// <summary>
/// Nagios check_http: GET the URL (no redirects followed, no cookies), expect a status and optionally a text in
/// the body, grade the latency and the TLS certificate's remaining days. A failed connection is CRITICAL, as
/// check_http says; an invalid certificate too.
/// </summary>
public sealed class HttpChecker(TimeProvider clock)
{
    private const int MaxBodyBytes = 1_000_000;

    internal async Task<HttpCheckResult> CheckAsync(AlertRuleSpec spec, CancellationToken ct)
    {
        X509Certificate2? certificate = null;
        SslPolicyErrors sslErrors = SslPolicyErrors.None;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(spec.TimeoutSeconds),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    certificate = cert is null ? null : new X509Certificate2(cert);
                    sslErrors = errors;
                    return true; // graded below, so the result says why rather than "connection failed"
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(spec.TimeoutSeconds) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("OpsPortal-check_http/1.0");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(spec.Url, HttpCompletionOption.ResponseHeadersRead, ct);
            var body = await ReadBodyAsync(response, ct);
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            try
            {
                return Grade(spec, (int)response.StatusCode, body, latency, certificate, sslErrors);
            }
            finally
            {
                certificate?.Dispose();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var why = ex is TaskCanceledException ? $"no answer within {spec.TimeoutSeconds} s" : ex.Message;
            return new HttpCheckResult(AlertState.Critical, latency, null, null, $"CRITICAL - {why}");
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxBodyBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    internal HttpCheckResult Grade(AlertRuleSpec spec, int status, string body, double latencyMs, X509Certificate2? cert, SslPolicyErrors sslErrors)
    {
        var problems = new List<(AlertState State, string Text)>();
        if (status != spec.ExpectStatus)
        {
            problems.Add((AlertState.Critical, $"status {status}, expected {spec.ExpectStatus}"));
        }
        if (!string.IsNullOrEmpty(spec.BodyContains) && !body.Contains(spec.BodyContains, StringComparison.Ordinal))
        {
            problems.Add((AlertState.Critical, $"body does not contain \"{spec.BodyContains}\""));
        }
        var latency = AlertMaths.StateOf(latencyMs, spec.WarningMs, spec.CriticalMs, below: false);
        if (latency != AlertState.Ok)
        {
            problems.Add((latency, $"{latencyMs:0} ms"));
        }
        int? days = null;
        if (cert is not null)
        {
            days = (int)Math.Floor((cert.NotAfter.ToUniversalTime() - clock.GetUtcNow().UtcDateTime).TotalDays);
            if (sslErrors != SslPolicyErrors.None)
            {
                problems.Add((AlertState.Critical, $"certificate not valid ({sslErrors})"));
            }
            var expiry = AlertMaths.StateOf(days, spec.CertWarningDays, spec.CertCriticalDays, below: true);
            if (expiry != AlertState.Ok)
            {
                problems.Add((expiry, $"certificate expires in {days} days"));
            }
        }
        var state = problems.Count == 0 ? AlertState.Ok : problems.Max(p => p.State);
        var text = $"HTTP {status}, {latencyMs:0} ms" + (days is { } d ? $", certificate {d} days left" : "");
        var message = problems.Count == 0 ? $"OK - {text}" : $"{AlertStates.Name(state)} - {string.Join("; ", problems.Select(p => p.Text))} ({text})";
        return new HttpCheckResult(state, latencyMs, status, days, message);
    }
}
