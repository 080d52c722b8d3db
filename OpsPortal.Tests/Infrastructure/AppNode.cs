using System.Diagnostics;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>
/// The built app (OpsPortal.Web.dll) serving as a separate OS process: "another node" on the same
/// database, which a test can kill outright. Its output is drained (and kept, for failure messages).
/// </summary>
public sealed class AppNode : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private AppNode(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>The last lines it printed, for a failing assertion's message.</summary>
    public string Output => string.Join('\n', _output.TakeLast(60));

    /// <param name="settings">Configuration keys (':' separated) passed as environment variables.</param>
    public static AppNode Start(TestDatabase database, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpsPortal.Web.dll"));
        start.Environment["OPSPORTAL_DATABASE"] = database.AppConnectionString;
        start.Environment["OPSPORTAL_DIRECT_DATABASE"] = database.ConnectionString;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["OpsPortal__Logs__RunIngestion"] = "false";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var node = new AppNode(Process.Start(start)!);
        node.Process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node.Process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
        return node;
    }

    /// <summary>SIGKILL: no clean-up of any kind, as in a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: false);
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
        Process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
