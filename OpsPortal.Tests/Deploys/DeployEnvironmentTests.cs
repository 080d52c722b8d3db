using System.Net.Http.Json;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Processes;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// Every kind of process the portal starts for deploys — deploy script, rollback script, versions
/// command — goes through the one launcher and sees only the inherited basics and OPS_* variables:
/// no OPSPORTAL_* setting, no connection string.
/// </summary>
public sealed class DeployEnvironmentTests : DeployTestBase
{
    private const string Canary = "Host=canary.invalid;Password=canary-password";

    public override async Task InitializeAsync()
    {
        // A portal setting in this process's own environment, as OPSPORTAL_DATABASE is in production.
        Environment.SetEnvironmentVariable("OPSPORTAL_ENV_CANARY", Canary);
        await base.InitializeAsync();
        foreach (var kind in new[] { "deploy", "rollback" })
        {
            Deploys.Script($"{kind}.sh", $"#!/usr/bin/env bash\nenv > \"{Deploys.Folder}/env-{kind}\"\necho {kind} done\n");
        }
        Deploys.Script("versions.sh", $"#!/usr/bin/env bash\nenv > \"{Deploys.Folder}/env-versions\"\nprintf '2.0.0\\n'\n");
    }

    [Fact]
    public async Task DeployRollbackVersions_EachSeesOnlyTheClearedEnvironment()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "staging", "1.0")));
        var second = await IdOf(await PostDeployAsync(client, "staging", "1.1"));
        await WaitFinishedAsync(client, second);
        var rollback = await IdOf(await client.PostAsync($"/api/deploys/{second}/rollback", null));
        Assert.Equal("succeeded", (await WaitFinishedAsync(client, rollback)).GetProperty("status").GetString());
        var target = Factory.Services.GetRequiredService<DeployConfigStore>().Current.Config!.Find("web", "staging")!;
        var versions = await Factory.Services.GetRequiredService<DeployVersions>().ListAsync(target);
        Assert.Equal(["2.0.0"], versions.Versions);

        var password = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString).Password!;
        foreach (var kind in new[] { "deploy", "rollback", "versions" })
        {
            var env = await File.ReadAllTextAsync(Path.Combine(Deploys.Folder, $"env-{kind}"));
            var names = env.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)[0])
                // bash adds its own bookkeeping variables.
                .Where(n => n is not ("PWD" or "SHLVL" or "_" or "OLDPWD")).ToList();
            Assert.DoesNotContain("canary", env, StringComparison.Ordinal);
            Assert.DoesNotContain(password, env, StringComparison.Ordinal);
            Assert.All(names, n => Assert.True(n.StartsWith("OPS_", StringComparison.Ordinal) || ProcessLauncher.InheritedVariables.Contains(n),
                $"{kind}: unexpected variable {n}"));
            Assert.Contains("OPS_SERVICE=web", env, StringComparison.Ordinal);
        }
    }
}
