using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// The portal dies mid-deploy: a separate OS process (the built app) runs the deploy and is killed
/// outright; a portal started afterwards marks the deploy interrupted with the output it had, the
/// target unlocks, and the deploy never runs again, even when Hangfire re-delivers its job.
/// </summary>
public sealed class DeployCrashTests : DeployTestBase
{
    // This process only enqueues; the separate app process is the one with workers.
    protected override IReadOnlyDictionary<string, string>? Settings => Deploys.Settings(runJobs: false);

    [Fact]
    public async Task AppKilledMidDeploy_Restart_MarksInterrupted_Unlocks_NeverReRuns()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var node = AppNode.Start(Database, Deploys.Settings());
        var id = await IdOf(await PostDeployAsync(client, "staging", "1.0-slow"));
        await WaitAsync(client, id, s => s == "running", "tick 3");

        await node.KillAsync();

        // Still "running" in the database: nobody has noticed yet.
        Assert.Equal("running", (await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{id}")).GetProperty("status").GetString());

        await using var restarted = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
        await restarted.StartAsync();
        using var after = restarted.CreateClient();
        var deploy = await WaitAsync(client, id, s => s == "interrupted");

        Assert.Contains("tick 3", Output(deploy), StringComparison.Ordinal);
        Assert.Contains("not re-run", deploy.GetProperty("deploy").GetProperty("outcome").GetString(), StringComparison.Ordinal);
        // Hangfire re-delivering the dead process's job finds nothing to do.
        await using (var scope = restarted.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DeployJob>().RunAsync(id, CancellationToken.None);
        }
        Assert.Equal(1, Deploys.RunCount);
        await using (var db = await restarted.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(DeployStatus.Interrupted, (await db.Deploys.SingleAsync(d => d.Id == id)).Status);
        }
        // Unlocked: the next deploy of the target is accepted and runs.
        var next = await IdOf(await PostDeployAsync(client, "staging", "1.1"));
        Assert.Equal("succeeded", (await WaitFinishedAsync(client, next)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task StaleHeartbeat_OfAnotherNode_MarksInterrupted()
    {
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OpsDbContext>();
            db.Deploys.Add(new Deploy
            {
                Service = "web",
                Environment = "staging",
                Action = DeployAction.Deploy,
                Version = "1.0",
                Status = DeployStatus.Running,
                RequestedBy = "someone",
                RequestedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                Script = "deploy.sh",
                Runner = "other-host/1234/0/x",
                HeartbeatAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync();
        }
        var recovery = ActivatorUtilities.CreateInstance<DeployRecovery>(Factory.Services);

        var atStart = await recovery.SweepAsync(CancellationToken.None);

        Assert.Single(atStart);
    }
}
