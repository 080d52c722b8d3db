using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Tests.Deploys;

namespace OpsPortal.Tests.Services;

/// <summary>
/// Deploy verification shortened to seconds (ten one-second buckets each side, so a verdict comes within
/// ~15 s of a deploy) and a deploy through the API that waits for the script: shared by the integration
/// tests and the e2e service page test.
/// </summary>
public static class VerificationSetup
{
    public static IReadOnlyDictionary<string, string> Settings(DeployFixture deploys) =>
        new Dictionary<string, string>(deploys.Settings())
        {
            ["OpsPortal:Verification:Window"] = "00:00:10",
            ["OpsPortal:Verification:Bucket"] = "00:00:01",
            ["OpsPortal:Verification:Warmup"] = "00:00:01",
            ["OpsPortal:Verification:Grace"] = "00:00:01",
            ["OpsPortal:Verification:Interval"] = "00:00:00.300",
            ["OpsPortal:Verification:MinRequests"] = "40",
            ["OpsPortal:Verification:MinBuckets"] = "5",
            ["OpsPortal:Verification:MinBucketRequests"] = "3",
            ["OpsPortal:Verification:Alpha"] = "0.05",
        };

    /// <summary>
    /// Deploys and waits until the script has finished (120 s at most: with other classes' app nodes running on a
    /// loaded machine a job was seen to start after more than 60 s); returns the id and the switch time.
    /// </summary>
    public static async Task<(long Id, DateTimeOffset FinishedAt)> DeployAsync(HttpClient client, string service, string environment, string version)
    {
        var response = await client.PostAsJsonAsync("/api/deploys", new { service, environment, version });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        for (var i = 0; i < 1200; i++)
        {
            var deploy = (await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{id}?limit=1")).GetProperty("deploy");
            if (deploy.GetProperty("finishedAt").ValueKind != JsonValueKind.Null)
            {
                Assert.Equal("succeeded", deploy.GetProperty("status").GetString());
                return (id, deploy.GetProperty("finishedAt").GetDateTimeOffset());
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"deploy {id} did not finish");
    }
}
