using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

public sealed class DeployApiTests : DeployTestBase
{
    [Fact]
    public async Task Post_RunsScriptWithOpsVariables_StoresMaskedOutputBothStreams()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var id = await IdOf(await PostDeployAsync(client, "staging", "1.2.3"));
        var deploy = await WaitFinishedAsync(client, id);

        Assert.Equal("succeeded", deploy.GetProperty("status").GetString());
        var output = Output(deploy);
        Assert.Contains($"service=web env=staging version=1.2.3 previous= action=deploy user={AdminEmail} ticket= id={id}", output, StringComparison.Ordinal);
        // The portal's own environment (its database password) never reaches a script.
        Assert.Contains("database=unset", output, StringComparison.Ordinal);
        Assert.DoesNotContain("supersecret123", output, StringComparison.Ordinal);
        Assert.Contains("•••••• in the middle", output, StringComparison.Ordinal);
        Assert.Contains(deploy.GetProperty("output").EnumerateArray(), l => l.GetProperty("stream").GetString() == "stderr" && l.GetProperty("text").GetString() == "to stderr");
        var seqs = deploy.GetProperty("output").EnumerateArray().Select(l => l.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
    }

    [Fact]
    public async Task TwoSimultaneousPosts_SameTarget_ExactlyOneRuns_OtherGets409()
    {
        using var a = await ClientForAsync(AdminEmail, AdminPassword);
        using var b = await ClientForAsync(AdminEmail, AdminPassword);

        var responses = await Task.WhenAll(PostDeployAsync(a, "staging", "1.0-slow"), PostDeployAsync(b, "staging", "1.1-slow"));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        var refused = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("web/staging is busy", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(AdminEmail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var id = await IdOf(responses.Single(r => r.StatusCode == HttpStatusCode.Accepted));
        await WaitAsync(a, id, s => s == "running", "tick 1");
        await a.PostAsync($"/api/deploys/{id}/cancel", null);
        await WaitFinishedAsync(a, id);
        Assert.Equal(1, Deploys.RunCount);
    }

    [Theory]
    [InlineData("1.0;rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("-rf")]
    [InlineData("1.0 2.0")]
    [InlineData("")]
    public async Task Post_InvalidVersion_400_NothingRuns(string version)
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await PostDeployAsync(client, "staging", version);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/deploys");
        Assert.Empty(list.GetProperty("deploys").EnumerateArray());
        await Task.Delay(500);
        Assert.Equal(0, Deploys.RunCount);
    }

    [Fact]
    public async Task Viewer_403_EngineerOnAdminEnvironment_403_EngineerOnStaging_202()
    {
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        await CreateUserAsync("eng@test.local", "Engineer-password-1", Roles.Engineer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");
        using var engineer = await ClientForAsync("eng@test.local", "Engineer-password-1");

        Assert.Equal(HttpStatusCode.Forbidden, (await PostDeployAsync(viewer, "staging", "1.0")).StatusCode);
        var production = await PostDeployAsync(engineer, "production", "1.0");
        Assert.Equal(HttpStatusCode.Forbidden, production.StatusCode);
        Assert.Contains("needs the Admin role", await production.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var id = await IdOf(await PostDeployAsync(engineer, "staging", "1.0"));
        Assert.Equal("succeeded", (await WaitFinishedAsync(engineer, id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/deploys/{id}")).StatusCode);
    }

    [Fact]
    public async Task ManualLockAndFreeze_Refuse409WithWhoAndWhy_UnlockAllowsAgain()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var locked = await client.PostAsJsonAsync("/api/deploys/locks", new { service = "web", environment = "staging", reason = "DB migration running" });
        Assert.Equal(HttpStatusCode.Created, locked.StatusCode);
        var refused = await PostDeployAsync(client, "staging", "1.0");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains($"locked by {AdminEmail}", detail, StringComparison.Ordinal);
        Assert.Contains("DB migration running", detail, StringComparison.Ordinal);
        var lockId = (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/deploys/locks/{lockId}")).StatusCode);

        var freeze = await client.PostAsJsonAsync("/api/deploys/locks", new { service = "*", environment = "*", reason = "Black Friday" });
        Assert.Equal(HttpStatusCode.Created, freeze.StatusCode);
        var frozen = await PostDeployAsync(client, "staging", "1.0");
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Contains("frozen", await frozen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, Deploys.RunCount);
    }

    [Fact]
    public async Task WeeklyLockInAZone_StoredAndDescribedInIt_UnknownZone400()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        // Next Saturday 22:00–23:00 Berlin, from the wall clock there.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).Date.AddDays(7);
        local = local.AddDays(((int)DayOfWeek.Saturday - (int)local.DayOfWeek + 7) % 7).AddHours(22);
        var starts = new DateTimeOffset(local, berlin.GetUtcOffset(local));

        var locked = await client.PostAsJsonAsync("/api/deploys/locks", new
        {
            service = "web",
            environment = "staging",
            reason = "Saturday backups",
            startsAt = starts,
            expiresAt = starts.AddHours(1),
            repeatsWeekly = true,
            timeZone = "Europe/Berlin",
        });
        var unknown = await client.PostAsJsonAsync("/api/deploys/locks", new
        {
            service = "web",
            environment = "staging",
            reason = "x",
            startsAt = starts,
            expiresAt = starts.AddHours(1),
            repeatsWeekly = true,
            timeZone = "Berlin",
        });

        Assert.Equal(HttpStatusCode.Created, locked.StatusCode);
        var listed = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/deploys/locks")).EnumerateArray());
        Assert.Equal("Europe/Berlin", listed.GetProperty("timeZone").GetString());
        Assert.Contains("every week from Sat 22:00 to Sat 23:00 Europe/Berlin", listed.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Unknown time zone “Berlin”", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_StopsScriptAndItsChildren_StatusCancelled()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var id = await IdOf(await PostDeployAsync(client, "staging", "1.0-slow"));
        var running = await WaitAsync(client, id, s => s == "running", "tick 2");
        var pid = int.Parse(Output(running).Split('\n').Single(l => l.StartsWith("pid=", StringComparison.Ordinal))[4..], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/deploys/{id}/cancel", null)).StatusCode);
        var deploy = await WaitFinishedAsync(client, id);

        Assert.Equal("cancelled", deploy.GetProperty("status").GetString());
        Assert.Contains($"cancelled by {AdminEmail}", deploy.GetProperty("deploy").GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(" Z ", StringComparison.Ordinal), "the script still runs");
        // The target is free again.
        Assert.Equal(HttpStatusCode.Accepted, (await PostDeployAsync(client, "staging", "1.1")).StatusCode);
    }

    [Fact]
    public async Task Timeout_StopsScript_Failed()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var id = await IdOf(await PostDeployAsync(client, "quick", "1.0-slow"));
        var deploy = await WaitFinishedAsync(client, id);

        Assert.Equal("failed", deploy.GetProperty("status").GetString());
        Assert.Contains("timed out after", deploy.GetProperty("deploy").GetProperty("outcome").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingScript_Failed_WithExitCode()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var deploy = await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0-bad")));

        Assert.Equal("failed", deploy.GetProperty("status").GetString());
        Assert.Equal(3, deploy.GetProperty("deploy").GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Plan_IsWhatRuns_TheConfirmationsVariablesAreTheScriptsEnvironment()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0")));
        var starter = Factory.Services.GetRequiredService<DeployStarter>();
        var admin = As.Admin(AdminEmail);

        var plan = await starter.PlanAsync(admin, DeployRequest.Deploy("web", "staging", "1.1", "OPS-77")).OkAsync();
        var id = await IdOf(await PostDeployAsync(client, "staging", "1.1"));
        var output = Output(await WaitFinishedAsync(client, id));

        Assert.Equal(("deploy.sh", "1.0"), (plan.Script, plan.PreviousVersion));
        var shown = plan.Describe();
        Assert.Contains("OPS_PREVIOUS_VERSION=1.0", shown, StringComparison.Ordinal);
        Assert.Contains("OPS_TICKET=OPS-77", shown, StringComparison.Ordinal);
        var ran = (plan with { Ticket = null }).Variables(id);
        Assert.Contains($"service={ran["OPS_SERVICE"]} env={ran["OPS_ENVIRONMENT"]} version={ran["OPS_VERSION"]} previous={ran["OPS_PREVIOUS_VERSION"]} " +
            $"action={ran["OPS_ACTION"]} user={ran["OPS_USER"]} ticket={ran["OPS_TICKET"]} id={ran["OPS_DEPLOY_ID"]}", output, StringComparison.Ordinal);
        var rollback = await starter.PlanAsync(admin, DeployRequest.Rollback(id)).OkAsync();
        Assert.Equal(("1.0", "1.1", "rollback.sh", DeployAction.Rollback), (rollback.Version, rollback.PreviousVersion, rollback.Script, rollback.Action));
        var viewer = await starter.PlanAsync(As.Viewer("v@x"), DeployRequest.Deploy("web", "staging", "1.2")).RefusedAsync(OpsPortal.Core.RefusalKind.Forbidden);
        Assert.Contains("needs the Engineer role", viewer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollbackPlan_AfterFailedDeploy_GoesFromTheFailedVersionToTheLastGood()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0")));
        var failed = await IdOf(await PostDeployAsync(client, "staging", "1.1-bad"));
        Assert.Equal("failed", (await WaitFinishedAsync(client, failed)).GetProperty("status").GetString());

        var rollback = await Factory.Services.GetRequiredService<DeployStarter>().PlanAsync(As.Admin(AdminEmail), DeployRequest.Rollback(failed)).OkAsync();

        // The failed script started, so 1.1-bad may be half in place: that is what the rollback goes from, not "1.0 → 1.0".
        Assert.Equal(("1.1-bad", "1.0"), (rollback.PreviousVersion, rollback.Version));
    }

    [Fact]
    public async Task Rollback_RunsRollbackScriptWithLastGoodVersion()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0")));
        var second = await IdOf(await PostDeployAsync(client, "staging", "1.1"));
        var deployed = await WaitFinishedAsync(client, second);
        Assert.Equal("https://git.example.com/web/compare/1.0...1.1", deployed.GetProperty("deploy").GetProperty("diffUrl").GetString());

        var rollback = await IdOf(await client.PostAsync($"/api/deploys/{second}/rollback", null));
        var done = await WaitFinishedAsync(client, rollback);

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("1.0", done.GetProperty("version").GetString());
        Assert.Contains("rolling back to 1.0 from 1.1 action=rollback", Output(done), StringComparison.Ordinal);
        Assert.Equal(second, done.GetProperty("deploy").GetProperty("rollbackOf").GetInt64());
    }
}
