using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// Promotion through the API: the version staging runs goes to the next environment as an ordinary deploy, through
/// the same locks and rules; the drift view says which environment runs what.
/// </summary>
public sealed class DeployPromotionTests : DeployTestBase
{
    private static Task<HttpResponseMessage> PromoteAsync(HttpClient client, string from, string? to = null, string? version = null) =>
        client.PostAsJsonAsync("/api/deploys/promote", new { service = "web", from, to, version });

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Promote_StagingToNext_DeploysStagingsVersionToProduction_DriftGone()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "production", "1.0")));
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "2.0")));
        var before = await client.GetFromJsonAsync<JsonElement>("/api/deploys/drift");
        var production = before.EnumerateArray().Single().GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("environment").GetString() == "production");
        Assert.True(production.GetProperty("differs").GetBoolean());
        Assert.Equal(("1.0", "staging", "2.0"), (production.GetProperty("version").GetString(), production.GetProperty("previous").GetString(),
            production.GetProperty("previousVersion").GetString()));

        var promoted = await WaitFinishedAsync(client, await IdOf(await PromoteAsync(client, "staging", version: "2.0")));

        var deploy = promoted.GetProperty("deploy");
        Assert.Equal(("succeeded", "production", "2.0", "1.0", "staging"), (deploy.GetProperty("status").GetString(), deploy.GetProperty("environment").GetString(),
            deploy.GetProperty("version").GetString(), deploy.GetProperty("previousVersion").GetString(), deploy.GetProperty("promotedFrom").GetString()));
        Assert.Contains("env=production version=2.0 previous=1.0 action=deploy", Output(promoted), StringComparison.Ordinal);
        var after = await client.GetFromJsonAsync<JsonElement>("/api/deploys/drift");
        var cells = after.EnumerateArray().Single().GetProperty("environments").EnumerateArray().ToList();
        Assert.False(cells.Single(e => e.GetProperty("environment").GetString() == "production").GetProperty("differs").GetBoolean());
        await using var db = Database.CreateContext();
        Assert.Contains(await db.Events.Where(e => e.Kind == "deploy.queued").Select(e => e.Summary).ToListAsync(),
            s => s.Contains("2.0 to production (promoted from staging)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promote_WhileFrozen_RefusedWithTheReason_NothingRuns_ThenRunsOnceLifted()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "2.0")));
        var runs = Deploys.RunCount;
        var freeze = await client.PostAsJsonAsync("/api/deploys/locks", new { service = "*", environment = "*", reason = "Black Friday, until Monday" });
        Assert.Equal(HttpStatusCode.Created, freeze.StatusCode);
        var freezeId = (await freeze.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var refused = await ProblemAsync(await PromoteAsync(client, "staging", "production"), HttpStatusCode.Conflict);

        Assert.Equal("Deploys are frozen", refused.GetProperty("title").GetString());
        Assert.Contains("Black Friday, until Monday", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(runs, Deploys.RunCount);
        await using (var db = Database.CreateContext())
        {
            Assert.False(await db.Deploys.AnyAsync(d => d.Environment == "production"));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/deploys/locks/{freezeId}")).StatusCode);
        var promoted = await WaitFinishedAsync(client, await IdOf(await PromoteAsync(client, "staging", "production")));
        Assert.Equal("succeeded", promoted.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Promote_TargetLocked_RefusedWithTheLocksReason()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "2.0")));
        var locked = await client.PostAsJsonAsync("/api/deploys/locks", new
        {
            service = "web",
            environment = "production",
            reason = "DB upgrade",
            expiresAt = DateTimeOffset.UtcNow.AddHours(2)
        });
        Assert.Equal(HttpStatusCode.Created, locked.StatusCode);
        Assert.Contains(" until ", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString(), StringComparison.Ordinal);

        var refused = await ProblemAsync(await PromoteAsync(client, "staging"), HttpStatusCode.Conflict);

        Assert.Equal("Target is locked", refused.GetProperty("title").GetString());
        Assert.Contains("web/production is locked by admin@test.local", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("DB upgrade", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_NothingToPromoteOrMovedOnOrLast_RefusedInWords()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var empty = await ProblemAsync(await PromoteAsync(client, "staging"), HttpStatusCode.Conflict);
        Assert.Contains("web/staging has no successful deploy to promote", empty.GetProperty("detail").GetString(), StringComparison.Ordinal);

        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "2.0")));
        var movedOn = await ProblemAsync(await PromoteAsync(client, "staging", version: "1.9"), HttpStatusCode.Conflict);
        Assert.Contains("runs 2.0 now, not 1.9", movedOn.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("2.0", movedOn.GetProperty("currentVersion").GetString());

        await WaitFinishedAsync(client, await IdOf(await PromoteAsync(client, "staging")));
        var again = await ProblemAsync(await PromoteAsync(client, "staging"), HttpStatusCode.Conflict);
        Assert.Contains("web/production already runs 2.0", again.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var last = await ProblemAsync(await PromoteAsync(client, "audited"), HttpStatusCode.BadRequest);
        Assert.Contains("audited is the last environment of web", last.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await PromoteAsync(client, "nowhere")).StatusCode);
    }

    [Fact]
    public async Task Promote_EngineerToAdminEnvironment_Forbidden_ViewerToo()
    {
        await CreateUserAsync("eng@test.local", "Engineer-password-1", OpsPortal.Core.Auth.Roles.Engineer);
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", OpsPortal.Core.Auth.Roles.Viewer);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(admin, await IdOf(await PostDeployAsync(admin, "staging", "2.0")));
        using var engineer = await ClientForAsync("eng@test.local", "Engineer-password-1");
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        Assert.Equal(HttpStatusCode.Forbidden, (await PromoteAsync(engineer, "staging", "production")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PromoteAsync(viewer, "staging", "quick")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PromoteAsync(engineer, "staging", "quick")).StatusCode);
    }
}
