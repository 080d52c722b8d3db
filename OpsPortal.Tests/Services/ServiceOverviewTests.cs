using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Services;

namespace OpsPortal.Tests.Services;

/// <summary>
/// <c>GET /api/services/{name}</c> (what the service page shows): health from the catalog's selector,
/// versions per environment with the last verdict, recent deploys, open incidents — and the incident
/// review drawing the very same requests.
/// </summary>
[Collection(VerificationTestBase.Collection)]
public sealed class ServiceOverviewTests : VerificationTestBase
{
    [Fact]
    public async Task Get_TrafficDeployAndIncident_HealthVersionsDeploysIncidents_ReviewUsesTheSameSelector()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var deploy = await DeployAsync(client, "production", "3.1");
        var now = DateTimeOffset.UtcNow;
        // 300 requests in the last five minutes, every 10th a 502; plus traffic of another service that must not count.
        await IngestAsync(client, "prod.shop.test", now.AddMinutes(-5), now, perSecond: 1, errorEvery: 10, backendTime: 0.1);
        await IngestAsync(client, "other.example.com", now.AddMinutes(-5), now, perSecond: 2, errorEvery: 2, backendTime: 0.1);
        var declared = await client.PostAsJsonAsync("/api/incidents", new { title = "Shop slow", severity = "SEV3", services = new[] { "shop" } });
        var incidentId = (await declared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var shop = await client.GetFromJsonAsync<JsonElement>("/api/services/shop");

        var health = shop.GetProperty("health");
        Assert.Equal("host:*.shop.test", health.GetProperty("selector").GetString());
        Assert.Equal(300, health.GetProperty("requests").GetInt64());
        Assert.Equal(0.1, health.GetProperty("errorRatio").GetDouble(), 3);
        Assert.InRange(health.GetProperty("p95").GetDouble(), 0.08, 0.13);
        var production = shop.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("environment").GetString() == "production");
        Assert.Equal(("3.1", deploy.Id), (production.GetProperty("version").GetString(), production.GetProperty("lastDeployId").GetInt64()));
        Assert.Contains(shop.GetProperty("recentDeploys").EnumerateArray(), d => d.GetProperty("id").GetInt64() == deploy.Id);
        Assert.Equal([incidentId], shop.GetProperty("openIncidents").EnumerateArray().Select(i => i.GetInt64()));
        Assert.Equal("shop", shop.GetProperty("name").GetString());

        // The review of the incident draws the requests the service page counts: one selector, one answer.
        var incident = await Factory.Services.GetRequiredService<IncidentQueries>().GetAsync(incidentId) ?? throw new InvalidOperationException("incident gone");
        var graph = Assert.Single(await Factory.Services.GetRequiredService<IncidentTraffic>().GraphsAsync(incident, now.AddMinutes(-10), now.AddMinutes(1)));
        Assert.Equal((health.GetProperty("selector").GetString(), true), (graph.Query, graph.KnownService));
        Assert.Equal(300, graph.Series!.Points.Sum(p => p.Requests));
    }

    [Fact]
    public async Task Get_UnknownService_404()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.GetAsync("/api/services/nope");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
