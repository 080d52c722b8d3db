using System.Net;
using System.Net.Http.Json;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// A freeze that begins while deploys wait in the queue holds them back on whichever node claims them: two runner
/// nodes on one database, neither starts a script, both deploys end cancelled saying why.
/// </summary>
public sealed class DeployFreezeNodesTests : DeployTestBase
{
    // This node only takes requests; the two below run deploys.
    protected override IReadOnlyDictionary<string, string>? Settings => Deploys.Settings(runJobs: false);

    [Fact]
    public async Task FreezeStartsWhileQueued_TwoRunnerNodes_NeitherRunsIt_BothSayWhy_ThenRunOnceLifted()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var staging = await IdOf(await PostDeployAsync(client, "staging", "2.0"));
        var quick = await IdOf(await PostDeployAsync(client, "quick", "2.0"));
        var freeze = await client.PostAsJsonAsync("/api/deploys/locks", new
        {
            service = "*",
            environment = "*",
            reason = "release freeze",
            startsAt = DateTimeOffset.UtcNow.AddSeconds(1),
        });
        Assert.Equal(HttpStatusCode.Created, freeze.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await using var first = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
        await using var second = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
        await Task.WhenAll(first.StartAsync(), second.StartAsync());

        foreach (var id in new[] { staging, quick })
        {
            var ended = (await WaitFinishedAsync(client, id)).GetProperty("deploy");
            Assert.Equal("cancelled", ended.GetProperty("status").GetString());
            Assert.StartsWith("not started: All deploys are frozen by admin@test.local", ended.GetProperty("outcome").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("release freeze", ended.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, Deploys.RunCount);

        var id2 = (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/deploys/locks")).EnumerateArray().Single().GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/deploys/locks/{id2}")).StatusCode);
        var after = await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "2.0")));
        Assert.Equal("succeeded", after.GetProperty("status").GetString());
        Assert.Equal(1, Deploys.RunCount);
    }
}
