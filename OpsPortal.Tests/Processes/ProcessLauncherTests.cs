using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OpsPortal.Core.Processes;

namespace OpsPortal.Tests.Processes;

/// <summary>The one launcher: no shell, a cleared environment, captured output, the whole tree stopped.</summary>
public sealed class ProcessLauncherTests : IDisposable
{
    private readonly ProcessLauncher _launcher = new(NullLogger<ProcessLauncher>.Instance);
    private readonly string _folder = Directory.CreateTempSubdirectory("opsportal-launcher-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RunAsync_PortalEnvironment_NotPassedOn_OnlyInheritedAndExtras()
    {
        Environment.SetEnvironmentVariable("OPSPORTAL_LAUNCHER_CANARY", "Host=db;Password=canary-secret");
        var env = Script("env.sh", "#!/bin/sh\nenv\n");

        var result = await _launcher.RunAsync(new ProcessSpec(env, _folder)
        {
            Environment = new Dictionary<string, string> { ["OPS_THING"] = "x y" },
        });

        var names = Variables(result.Output).Keys.Where(n => n != "PWD" && n != "SHLVL" && n != "_").ToList();
        Assert.Equal(0, result.Exit.ExitCode);
        Assert.DoesNotContain("canary-secret", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(names, n => n.StartsWith("OPSPORTAL", StringComparison.Ordinal));
        Assert.All(names, n => Assert.True(n == "OPS_THING" || ProcessLauncher.InheritedVariables.Contains(n), $"unexpected variable {n}"));
        Assert.Equal("x y", Variables(result.Output)["OPS_THING"]);
    }

    [Fact]
    public async Task RunAsync_Arguments_ReachTheProgramUnparsed()
    {
        var args = Script("args.sh", "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");

        var result = await _launcher.RunAsync(new ProcessSpec(args, _folder) { Arguments = ["$(id)", "a;b", "'q' \"d\"", "-k", "* ?"] });

        Assert.Equal("<$(id)>\n<a;b>\n<'q' \"d\">\n<-k>\n<* ?>\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_StdoutAndStderr_CapturedSeparately_WithExitCode()
    {
        var both = Script("both.sh", "#!/bin/sh\necho out\necho err >&2\nexit 3\n");

        var result = await _launcher.RunAsync(new ProcessSpec(both, _folder));

        Assert.Equal((3, false), (result.Exit.ExitCode, result.Exit.TimedOut));
        Assert.Equal("out\n", result.Output);
        Assert.Equal("err\n", result.Error);
    }

    [Fact]
    public async Task RunAsync_PastTimeout_WholeTreeStopped_EvenWhenItIgnoresTerm()
    {
        var pids = Path.Combine(_folder, "pids");
        var stubborn = Script("stubborn.sh", $$"""
            #!/bin/bash
            trap '' TERM
            ( trap '' TERM; sleep 300 ) &
            echo $! >> {{pids}}
            echo $$ >> {{pids}}
            sleep 300
            """);
        var watch = Stopwatch.StartNew();

        var result = await _launcher.RunAsync(new ProcessSpec(stubborn, _folder) { Timeout = TimeSpan.FromSeconds(1), KillGrace = TimeSpan.FromMilliseconds(500) });

        Assert.True(result.Exit.TimedOut);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.All(File.ReadAllLines(pids).Select(int.Parse), pid => Assert.False(IsAlive(pid), $"process {pid} still runs"));
    }

    [Fact]
    public async Task RunAsync_Cancelled_WholeTreeStopped()
    {
        var pids = Path.Combine(_folder, "pids");
        var slow = Script("slow.sh", $"#!/bin/bash\nsleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n");
        using var cancel = new CancellationTokenSource();

        var run = _launcher.RunAsync(new ProcessSpec(slow, _folder) { KillGrace = TimeSpan.FromSeconds(2) }, cancel.Token);
        await WaitForLinesAsync(pids, 2);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.All(File.ReadAllLines(pids).Select(int.Parse), pid => Assert.False(IsAlive(pid), $"process {pid} still runs"));
    }

    [Fact]
    public async Task WaitAsync_BackgroundChildLeftBehind_IsStopped()
    {
        var pids = Path.Combine(_folder, "pids");
        var leaves = Script("leaves.sh", $"#!/bin/bash\nsleep 300 >/dev/null 2>&1 &\necho $! >> {pids}\necho started\n");
        var lines = new List<string>();

        await using var process = await _launcher.StartAsync(new ProcessSpec(leaves, _folder), line =>
        {
            lines.Add(line.Text);
            return ValueTask.CompletedTask;
        });
        var exit = await process.WaitAsync(CancellationToken.None);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(["started"], lines);
        Assert.False(IsAlive(int.Parse(File.ReadAllText(pids).Trim())), "the background child outlived the run");
    }

    [Fact]
    public async Task StartAsync_ProcessGroup_IsTheLeadersPid_AndHoldsTheScript()
    {
        var pidFile = Path.Combine(_folder, "pid");
        var slow = Script("group.sh", $"#!/bin/bash\necho $$ > {pidFile}\nsleep 300\n");

        await using var process = await _launcher.StartAsync(new ProcessSpec(slow, _folder), _ => ValueTask.CompletedTask);
        await WaitForLinesAsync(pidFile, 1);
        var script = int.Parse(File.ReadAllText(pidFile).Trim());

        Assert.Equal(process.GroupId, GroupOf(script));
        await process.TerminateAsync(TimeSpan.FromSeconds(2));
        Assert.False(IsAlive(script));
    }

    [Theory]
    [InlineData("relative.sh", null, null, "absolute path")]
    [InlineData(null, "OPSPORTAL_DATABASE", "x", "never passed")]
    [InlineData(null, "BAD-NAME", "x", "not a valid variable name")]
    [InlineData(null, "OPS_X", "a\0b", "NUL")]
    public async Task RunAsync_InvalidSpec_RefusedBeforeStarting(string? program, string? variable, string? value, string expected)
    {
        var ok = Script("ok.sh", "#!/bin/sh\ntouch started\n");
        var spec = new ProcessSpec(program ?? ok, _folder)
        {
            Environment = variable is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [variable] = value! },
        };

        var ex = await Assert.ThrowsAsync<ProcessLaunchException>(() => _launcher.RunAsync(spec));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "started")));
    }

    [Fact]
    public async Task RunAsync_HugeOutput_KeptUpToTheLimit()
    {
        var loud = Script("loud.sh", "#!/bin/sh\nyes 0123456789 | head -n 100000\n");

        var result = await _launcher.RunAsync(new ProcessSpec(loud, _folder) { MaxCapturedBytes = 1000 });

        Assert.True(result.Truncated);
        Assert.True(result.Output.Length <= 1000);
        Assert.Equal(0, result.Exit.ExitCode);
    }

    private string Script(string name, string body)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, body.ReplaceLineEndings("\n"));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The portal starts processes on Linux.");
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static Dictionary<string, string> Variables(string env) =>
        env.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    internal static bool IsAlive(int pid)
    {
        var stat = Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat");
        try
        {
            // A zombie is dead: it waits only to be reaped.
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int GroupOf(int pid)
    {
        var text = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForLinesAsync(string path, int count)
    {
        for (var i = 0; i < 300; i++)
        {
            if (File.Exists(path) && File.ReadAllLines(path).Count(l => l.Length > 0) >= count)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{path} never got {count} lines");
    }
}
