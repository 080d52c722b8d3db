using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Tests.Deploys;

namespace OpsPortal.Tests.Incidents;

/// <summary>The SEV1/SEV2 deploy interlock through the real deploy API, scripts and runner.</summary>
public sealed class IncidentInterlockTests : DeployTestBase
{
    private static async Task<long> DeclareAsync(HttpClient client, string severity) =>
        (await (await client.PostAsJsonAsync("/api/incidents", new { title = "web down", severity, services = new[] { "web" } }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

    [Fact]
    public async Task OpenSev1_BlocksDeploy_OverrideWithReasonGoesOnTheTimeline_RollbackStaysOneClick()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0")));
        var incident = await DeclareAsync(client, "SEV1");

        var refused = await PostDeployAsync(client, "staging", "1.1");
        var emptyReason = await client.PostAsJsonAsync("/api/deploys", new { service = "web", environment = "staging", version = "1.1", overrideReason = "  " });
        var overridden = await client.PostAsJsonAsync("/api/deploys",
            new { service = "web", environment = "staging", version = "1.1", overrideReason = "hotfix for this very incident" });
        var deployId = await IdOf(overridden);
        await WaitFinishedAsync(client, deployId);
        var rollback = await client.PostAsJsonAsync($"/api/deploys/{deployId}/rollback", new { });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"SEV1 #{incident}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("overridable").GetBoolean());
        // The detail is read by people in the deploy dialog: words, not the API's field name.
        Assert.DoesNotContain("overrideReason", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("reason for the override", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, emptyReason.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, rollback.StatusCode);
        await WaitFinishedAsync(client, await IdOf(rollback));

        var timeline = await client.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}/timeline");
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        var overrideItem = Assert.Single(items, i => i.GetProperty("kind").GetString() == "incident.deploy_override");
        Assert.Contains("hotfix for this very incident", overrideItem.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("deploy", overrideItem.GetProperty("category").GetString());
        // The deploy and the rollback of the service are on the timeline too.
        Assert.Contains(items, i => i.GetProperty("kind").GetString() == "deploy.succeeded"
            && i.GetProperty("summary").GetString()!.Contains("1.1", StringComparison.Ordinal));
        Assert.Contains(items, i => i.GetProperty("kind").GetString() == "deploy.queued"
            && i.GetProperty("summary").GetString()!.Contains("rollback", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Sev3_OrResolvedSev1_DoesNotBlock()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var sev1 = await DeclareAsync(client, "SEV1");
        await client.PatchAsJsonAsync($"/api/incidents/{sev1}", new { status = "Resolved" });
        await DeclareAsync(client, "SEV3");

        Assert.Equal(HttpStatusCode.Accepted, (await PostDeployAsync(client, "staging", "1.0")).StatusCode);
    }
}
