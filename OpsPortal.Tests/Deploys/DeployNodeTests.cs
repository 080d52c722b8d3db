using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Tests.Processes;

namespace OpsPortal.Tests.Deploys;

/// <summary>
/// Deploys across app processes on one host: the runner is a separate OS process (the built app) that
/// is killed outright or left running while another node restarts beside it. The scripts write a
/// timeline (start, pids, end) and a new deploy's script checks whether any earlier deploy's process
/// still runs: an overlap would be written down.
/// </summary>
public sealed class DeployNodeTests : DeployTestBase
{
    // This process only serves the API; the nodes run the deploys.
    protected override IReadOnlyDictionary<string, string>? Settings => Deploys.Settings(runJobs: false);

    private string Timeline => Path.Combine(Deploys.Folder, "timeline");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Deploys.Script("deploy.sh", $$"""
            #!/usr/bin/env bash
            log="{{Timeline}}"
            env > "{{Deploys.Folder}}/env-$OPS_DEPLOY_ID"
            # Any process of an earlier deploy still alive is an overlap.
            while read -r id what a b; do
              if [[ $what == pids ]]; then
                for p in $a $b; do
                  if [[ -e /proc/$p/stat ]] && ! awk '{ exit !($3 == "Z") }' "/proc/$p/stat"; then echo "$OPS_DEPLOY_ID overlap $id $p" >> "$log"; fi
                done
              fi
            done < <(cat "$log" 2>/dev/null)
            echo "$OPS_DEPLOY_ID start $(date +%s%N)" >> "$log"
            case "$OPS_VERSION" in
              *-slow)
                sleep 300 &
                echo "$OPS_DEPLOY_ID pids $$ $!" >> "$log"
                for i in $(seq 1 900); do echo "tick $i"; sleep 0.1; done ;;
            esac
            echo "$OPS_DEPLOY_ID end $(date +%s%N)" >> "$log"
            """);
    }

    [Fact]
    public async Task RunnerKilled_ScriptTreeGoneWithin5s_TargetLockedUntilThen_NoOverlap()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var node = AppNode.Start(Database, Deploys.Settings(), new Dictionary<string, string> { ["OPSPORTAL_ADMIN_PASSWORD"] = "canary-admin-pw" });
        var first = await IdOf(await PostDeployAsync(client, "staging", "1.0-slow"));
        await WaitAsync(client, first, s => s == "running", "tick 3");
        var pids = PidsOf(first);

        await node.KillAsync();
        var killed = Stopwatch.StartNew();
        while (pids.Any(ProcessLauncherTests.IsAlive) && killed.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        var goneAfter = killed.Elapsed;

        Assert.True(goneAfter < TimeSpan.FromSeconds(5), $"the script's processes ran on for {goneAfter.TotalSeconds:F1} s after their runner died\n{node.Output}");
        // The dead node's script saw none of the node's own environment.
        var env = await File.ReadAllTextAsync(Path.Combine(Deploys.Folder, $"env-{first}"));
        Assert.DoesNotContain("OPSPORTAL", env, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-admin-pw", env, StringComparison.Ordinal);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString).Password!, env, StringComparison.Ordinal);

        // Another node notices the runner is dead and its script gone: long before the 30 s heartbeat expiry.
        await using var other = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
        await other.StartAsync();
        var interrupted = await WaitAsync(client, first, s => s == "interrupted");
        Assert.Contains("so did its script", interrupted.GetProperty("deploy").GetProperty("outcome").GetString(), StringComparison.Ordinal);

        var next = await IdOf(await PostDeployAsync(client, "staging", "1.1"));
        Assert.Equal("succeeded", (await WaitFinishedAsync(client, next)).GetProperty("status").GetString());
        var timeline = await File.ReadAllTextAsync(Timeline);
        Assert.DoesNotContain("overlap", timeline, StringComparison.Ordinal);
        Assert.Contains($"{next} start", timeline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunnerKilled_SecondDeployRefused_UntilTheFirstIsKnownGone()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var node = AppNode.Start(Database, Deploys.Settings());
        await using var other = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
        var first = await IdOf(await PostDeployAsync(client, "staging", "1.0-slow"));
        await WaitAsync(client, first, s => s == "running", "tick 3");
        await using (var db = Database.CreateContext())
        {
            var runner = db.Deploys.Single(d => d.Id == first).Runner ?? "";
            Assert.True(runner.Contains($"/{node.Pid}/", StringComparison.Ordinal), $"the deploy ran elsewhere: {runner}");
        }

        // Recovery runs on the other node from the moment the runner dies: a second deploy is tried all along.
        await other.StartAsync();
        await node.KillAsync();
        long? next = null;
        for (var i = 0; i < 600 && next is null; i++)
        {
            var response = await PostDeployAsync(client, "staging", "1.1");
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                next = await IdOf(response);
                break;
            }
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            await Task.Delay(100);
        }

        Assert.NotNull(next);
        Assert.Equal("succeeded", (await WaitFinishedAsync(client, next.Value)).GetProperty("status").GetString());
        Assert.DoesNotContain("overlap", await File.ReadAllTextAsync(Timeline), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherNodeRestarts_DeployRunningOnThisHost_KeepsRunning()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        using var node = AppNode.Start(Database, Deploys.Settings());
        var id = await IdOf(await PostDeployAsync(client, "staging", "1.0-slow"));
        await WaitAsync(client, id, s => s == "running", "tick 3");
        var pids = PidsOf(id);

        // Started twice: each start sweeps at once, then every heartbeat interval (0.5 s here).
        for (var restart = 0; restart < 2; restart++)
        {
            await using var other = new OpsPortalFactory(Database, runJobs: true, settings: Deploys.Settings());
            await other.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        var deploy = await client.GetFromJsonAsync<JsonElement>($"/api/deploys/{id}?limit=5000");
        Assert.Equal("running", deploy.GetProperty("status").GetString());
        Assert.All(pids, pid => Assert.True(ProcessLauncherTests.IsAlive(pid), $"process {pid} of the running deploy was stopped"));
        var before = deploy.GetProperty("deploy").GetProperty("lineCount").GetInt64();
        await WaitAsync(client, id, s => s == "running", $"tick {before + 5}");

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/deploys/{id}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await WaitFinishedAsync(client, id)).GetProperty("status").GetString());
    }

    private List<int> PidsOf(long deploy)
    {
        var line = File.ReadAllLines(Timeline).Single(l => l.StartsWith($"{deploy} pids ", StringComparison.Ordinal));
        return [.. line.Split(' ')[2..].Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }
}
