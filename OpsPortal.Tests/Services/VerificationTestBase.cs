using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Services;

/// <summary>
/// The app with jobs on, a service <c>shop</c> whose environments select their own hosts, and deploy
/// verification shortened to seconds (<see cref="VerificationSetup"/>). Traffic goes in through the real ingestion API.
/// </summary>
public abstract class VerificationTestBase : ApiTestBase
{
    protected DeployFixture Deploys { get; } = new("""
          shop:
            logs: 'host:*.shop.test'
            environments:
              staging:
                deploy: deploy.sh
                logs: 'host:staging.shop.test'
                auto_rollback: true
              production:
                deploy: deploy.sh
                logs: 'host:prod.shop.test'
              quiet:
                deploy: deploy.sh
                logs: 'host:quiet.shop.test'
        """);

    /// <summary>
    /// These classes run app nodes with jobs (deploy runner, verifier, Hangfire), up to three at once:
    /// one after another (each derived class carries <c>[Collection(Collection)]</c>: xunit does not inherit it),
    /// so together they stay well inside PostgreSQL's 100 connections.
    /// </summary>
    public const string Collection = "App nodes with deploy verification";

    protected override IReadOnlyDictionary<string, string>? Settings => VerificationSettings(Deploys);

    public static IReadOnlyDictionary<string, string> VerificationSettings(DeployFixture deploys) => VerificationSetup.Settings(deploys);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Deploys.Dispose();
    }

    /// <summary>Deploys and waits until the script has finished; returns the id and the switch time.</summary>
    protected static Task<(long Id, DateTimeOffset FinishedAt)> DeployAsync(HttpClient client, string environment, string version) =>
        VerificationSetup.DeployAsync(client, "shop", environment, version);

    /// <summary>
    /// Sends <paramref name="perSecond"/> opsportal-format lines a second for host over [from, to); every
    /// <paramref name="errorEvery"/>-th line is a 502 (0: none); backend time in seconds.
    /// </summary>
    protected static async Task IngestAsync(HttpClient client, string host, DateTimeOffset from, DateTimeOffset to, int perSecond, int errorEvery, double backendTime)
    {
        var text = new StringBuilder();
        var n = 0;
        for (var t = from; t < to; t = t.AddSeconds(1))
        {
            for (var i = 0; i < perSecond; i++, n++)
            {
                var at = t.AddMilliseconds(1000.0 * i / perSecond);
                var status = errorEvery > 0 && n % errorEvery == 0 ? 502 : 200;
                var time = backendTime * (0.8 + 0.4 * (n * 7919 % 100) / 100.0);
                text.Append(CultureInfo.InvariantCulture,
                    $"10.0.0.{n % 200 + 1} - - [{at.UtcDateTime:dd/MMM/yyyy:HH:mm:ss} +0000] \"GET /p/{n % 50} HTTP/1.1\" {status} 512 \"-\" \"test\" ")
                    .Append(CultureInfo.InvariantCulture,
                    $"host={host} scheme=https rt={time + 0.001:0.000} urt=\"{time:0.000}\" upstream=\"10.0.1.2:8080\" ustatus=\"{status}\" tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256\n");
            }
        }
        using var body = new StringContent(text.ToString(), Encoding.UTF8, "text/plain");
        var response = await client.PostAsync("/api/logs?format=opsportal", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Polls the impact until its verdict is final (60 s at most: CI runs under load).</summary>
    protected static async Task<JsonElement> VerdictAsync(HttpClient client, long deployId)
    {
        JsonElement last = default;
        for (var i = 0; i < 600; i++)
        {
            try
            {
                last = await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{deployId}/impact");
            }
            catch (HttpRequestException)
            {
                // The database may be coming back from an outage: ask again.
                await Task.Delay(100);
                continue;
            }
            if (last.GetProperty("verdict").GetString() is "healthy" or "regressed" or "not_enough_traffic" or "skipped")
            {
                return last;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"deploy {deployId} got no verdict: {last}");
    }
}
