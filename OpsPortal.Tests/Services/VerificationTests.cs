using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Verification;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Services;

[Collection(VerificationTestBase.Collection)]
public sealed class VerificationTests : VerificationTestBase
{
    [Fact]
    public async Task Deploys_OnTwoNodes_5xxAfterSwitch_RegressedOnce_AutoRollbackOnce_NormalHealthy_QuietNotEnough()
    {
        // A second app node with its own verifier on the same database: exactly one may judge each deploy.
        await using var second = new OpsPortalFactory(Database, runJobs: true, VerificationSettings(Deploys));
        await second.StartAsync();
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        // A version to roll back to.
        await DeployAsync(client, "staging", "1.0");
        var start = DateTimeOffset.UtcNow;
        foreach (var host in new[] { "staging.shop.test", "prod.shop.test" })
        {
            await IngestAsync(client, host, start.AddSeconds(-14), start.AddSeconds(2), perSecond: 20, errorEvery: 100, backendTime: 0.05);
        }
        await IngestAsync(client, "quiet.shop.test", start.AddSeconds(-14), start.AddSeconds(2), perSecond: 1, errorEvery: 0, backendTime: 0.05);

        var staging = await DeployAsync(client, "staging", "2.0");
        var production = await DeployAsync(client, "production", "2.0");
        var quiet = await DeployAsync(client, "quiet", "2.0");
        var switched = new[] { staging.FinishedAt, production.FinishedAt, quiet.FinishedAt }.Min();
        var end = new[] { staging.FinishedAt, production.FinishedAt, quiet.FinishedAt }.Max().AddSeconds(13);
        await IngestAsync(client, "staging.shop.test", switched, end, perSecond: 20, errorEvery: 4, backendTime: 0.4);
        await IngestAsync(client, "prod.shop.test", switched, end, perSecond: 20, errorEvery: 100, backendTime: 0.05);
        await IngestAsync(client, "quiet.shop.test", switched, end, perSecond: 1, errorEvery: 0, backendTime: 0.05);

        var regressed = await VerdictAsync(client, staging.Id);
        var healthy = await VerdictAsync(client, production.Id);
        var notEnough = await VerdictAsync(client, quiet.Id);

        Assert.Equal("regressed", regressed.GetProperty("verdict").GetString());
        Assert.Equal("host:staging.shop.test", regressed.GetProperty("selector").GetString());
        Assert.Contains(regressed.GetProperty("findings").EnumerateArray(), f => f.GetProperty("metric").GetString() == "5xx_ratio" && f.GetProperty("regressed").GetBoolean());
        Assert.Contains("/logs?q=host%3Astaging.shop.test&from=", regressed.GetProperty("logsUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", healthy.GetProperty("verdict").GetString());
        Assert.Equal("not_enough_traffic", notEnough.GetProperty("verdict").GetString());

        // The regression rolled staging back by itself, once, and said so on the timeline.
        var rollbackId = await WaitAsync(async () =>
        {
            var impact = await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{staging.Id}/impact");
            return impact.GetProperty("autoRollback").ValueKind == JsonValueKind.Object
                && impact.GetProperty("autoRollback").GetProperty("state").GetString() == "started"
                ? impact.GetProperty("autoRollback").GetProperty("rollbackDeployId").GetInt64()
                : (long?)null;
        });
        var rollback = (await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{rollbackId}?limit=1")).GetProperty("deploy");
        Assert.Equal(("rollback", staging.Id, "system:deploy-verification"),
            (rollback.GetProperty("action").GetString(), rollback.GetProperty("rollbackOf").GetInt64(), rollback.GetProperty("requestedBy").GetString()));
        await using var db = Database.CreateContext();
        var kinds = await db.Events.Where(e => e.SubjectType == "deploy" && e.SubjectId == staging.Id.ToString()).Select(e => e.Kind).ToListAsync();
        Assert.Single(kinds, VerificationEventKinds.Regressed);
        Assert.Single(kinds, VerificationEventKinds.AutoRolledBack);
        Assert.Equal(1, await db.Deploys.CountAsync(d => d.RollbackOf == staging.Id));
        Assert.Equal(1, await db.Events.CountAsync(e => e.Kind == VerificationEventKinds.Verified && e.SubjectId == production.Id.ToString()));
        Assert.Equal(1, await db.Events.CountAsync(e => e.Kind == VerificationEventKinds.Unverified && e.SubjectId == quiet.Id.ToString()));
    }

    [Fact]
    public async Task Round_LockHeldByAnotherNode_JudgesNothing_ThenJudgesOnceFree()
    {
        var verification = Factory.Services.GetRequiredService<DeployVerification>();
        await using var other = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", other, tx))
        {
            take.Parameters.Add(new Npgsql.NpgsqlParameter { Value = DeployVerification.LockKey });
            await take.ExecuteScalarAsync();
        }

        Assert.False(await verification.RoundAsync(CancellationToken.None));
        await tx.RollbackAsync();
        // The app's own verifier loop may hold the lock for a moment too: free means judged within a few tries.
        var judged = false;
        for (var i = 0; i < 50 && !judged; i++)
        {
            judged = await verification.RoundAsync(CancellationToken.None);
            if (!judged)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(judged);
    }

    [Fact]
    public async Task Round_MoreFinishedDeploysThanOnePage_EveryOneWatchedOnce()
    {
        // Deploys come through Deploys' queries a page at a time; the ones already watched must not hide the rest.
        var verification = Factory.Services.GetRequiredService<DeployVerification>();
        var now = DateTimeOffset.UtcNow;
        await using (var db = Database.CreateContext())
        {
            for (var i = 0; i < 250; i++)
            {
                db.Deploys.Add(new OpsPortal.Core.Deploys.Deploy
                {
                    Service = "shop",
                    Environment = "quiet",
                    Action = "deploy",
                    Version = $"9.{i}",
                    Status = "failed",
                    RequestedBy = "test",
                    RequestedAt = now,
                    FinishedAt = now,
                    Script = "deploy.sh",
                });
            }
            await db.SaveChangesAsync();
        }
        await using var check = Database.CreateContext();
        var watched = 0;
        for (var round = 0; round < 100 && watched < 250; round++)
        {
            if (!await verification.RoundAsync(CancellationToken.None))
            {
                await Task.Delay(100);
            }
            watched = await check.DeployImpacts.CountAsync(i => i.Environment == "quiet" && i.Verdict == ImpactVerdict.Skipped);
        }
        Assert.Equal(250, watched);
    }

    private static async Task<long> WaitAsync(Func<Task<long?>> probe)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("never happened");
    }
}
