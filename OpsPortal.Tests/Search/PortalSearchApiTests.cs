using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Search;

/// <summary>GET /api/search, the one search of the app bar: every kind, grouped, for every role; nothing without sign-in.</summary>
public sealed class PortalSearchApiTests : ApiTestBase
{
    private static readonly Actor Admin = new(AdminEmail, Roles.Admin);

    private async Task SeedAsync()
    {
        var services = Factory.Services;
        Assert.True((await services.GetRequiredService<ServiceCatalog>().SaveAsync(Admin, "kestrel-pay",
            new ServiceInput("Payments for the kestrel shop", ["team:pay"], 1, null, "host:pay.test", null))).Succeeded);
        Assert.True((await services.GetRequiredService<TicketService>().CreateAsync(
            new NewTicket("Kestrel refunds fail for card payments", "Seen since 09:00."), Admin)).Succeeded);
        Assert.True((await services.GetRequiredService<WikiService>().SaveAsync(Admin, "kestrel-runbook",
            new WikiSaveRequest("Kestrel runbook", "Restart the kestrel workers.", null, null))).Succeeded);
        Assert.True((await services.GetRequiredService<IncidentService>().DeclareAsync(new DeclareIncident
        {
            Title = "Kestrel checkout down",
            Severity = "SEV2",
            Services = ["kestrel-pay"],
        }, Admin)).Succeeded);
        await using var db = await services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        db.Deploys.Add(new Deploy
        {
            Service = "kestrel-pay",
            Environment = "production",
            Action = "deploy",
            Version = "3.1.0",
            Status = DeployStatus.Succeeded,
            RequestedBy = AdminEmail,
            RequestedAt = DateTimeOffset.UtcNow,
            Script = "/srv/deploy.sh",
        });
        await db.SaveChangesAsync();
    }

    private static async Task<List<(string Kind, List<string> Keys)>> GroupsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.EnumerateArray().Select(g => (g.GetProperty("kind").GetString()!,
            g.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("key").GetString()!).ToList())).ToList();
    }

    [Fact]
    public async Task Search_AsViewer_FindsEveryKindGroupedInOrder()
    {
        await SeedAsync();
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        var groups = await GroupsAsync(await viewer.GetAsync("/api/search?q=kestrel"));

        Assert.Equal(["tickets", "wiki", "incidents", "deploys", "services"], groups.Select(g => g.Kind));
        Assert.Equal(["kestrel-runbook"], groups[1].Keys);
        Assert.Equal(["kestrel-pay"], groups[4].Keys);
        Assert.Single(groups[2].Keys);
        Assert.Single(groups[3].Keys);
    }

    [Fact]
    public async Task Search_LikeWildcards_MatchLiterally()
    {
        await SeedAsync();
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        // "%" and "_" would match every incident, deploy and service if they reached LIKE unescaped.
        Assert.Empty(await GroupsAsync(await client.GetAsync("/api/search?q=%25")));
        Assert.Empty(await GroupsAsync(await client.GetAsync("/api/search?q=_")));
        Assert.Empty(await GroupsAsync(await client.GetAsync("/api/search?q=" + Uri.EscapeDataString("x' OR '1'='1"))));
    }

    [Fact]
    public async Task Search_TooLong_IsRefusedWithProblemDetails()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.GetAsync("/api/search?q=" + new string('a', 201));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Search_WithoutSignIn_IsUnauthorized()
    {
        using var anonymous = Factory.CreateClient();

        var response = await anonymous.GetAsync("/api/search?q=kestrel");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
