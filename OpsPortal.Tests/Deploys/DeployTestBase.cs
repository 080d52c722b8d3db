using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

/// <summary>The app with Hangfire workers on, a deploy configuration of real scripts, and helpers to wait on deploys.</summary>
public abstract class DeployTestBase : ApiTestBase
{
    protected DeployFixture Deploys { get; } = new();

    protected override IReadOnlyDictionary<string, string>? Settings => Deploys.Settings();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Deploys.Dispose();
    }

    protected static Task<HttpResponseMessage> PostDeployAsync(HttpClient client, string environment, string version, string? ticket = null) =>
        client.PostAsJsonAsync("/api/deploys", new { service = "web", environment, version, ticket });

    protected static async Task<long> IdOf(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Polls the API until the deploy's status satisfies <paramref name="until"/> (30 s at most).</summary>
    protected static async Task<JsonElement> WaitAsync(HttpClient client, long id, Func<string, bool> until, string? outputContains = null)
    {
        JsonElement last = default;
        for (var i = 0; i < 300; i++)
        {
            last = await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{id}?limit=5000");
            if (until(last.GetProperty("status").GetString()!)
                && (outputContains is null || Output(last).Contains(outputContains, StringComparison.Ordinal)))
            {
                return last;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"deploy {id} never got there: {last}");
    }

    protected static Task<JsonElement> WaitFinishedAsync(HttpClient client, long id) =>
        WaitAsync(client, id, s => s is not ("queued" or "running"));

    protected static string Output(JsonElement deploy) =>
        string.Join('\n', deploy.GetProperty("output").EnumerateArray().Select(l => l.GetProperty("text").GetString()));
}
