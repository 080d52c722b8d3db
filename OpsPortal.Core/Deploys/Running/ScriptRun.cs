using System.Diagnostics;
using System.Globalization;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// One script process: started directly (no shell, arguments never parsed), in the scripts folder,
/// with a clean environment (the portal's own variables, such as its database password, are not
/// passed on), stdin closed, stdout and stderr read line by line into the <see cref="DeployOutputSink"/>.
/// </summary>
internal sealed class ScriptRun : IDisposable
{
    // Only these of the portal's own variables reach scripts; everything else they get is OPS_*.
    private static readonly string[] Inherited = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "TMPDIR"];

    private readonly Process _process;
    private readonly Task _readers;

    private ScriptRun(Process process, Task readers)
    {
        _process = process;
        _readers = readers;
    }

    public int ProcessId => _process.Id;

    public static ScriptRun Start(string script, string workingFolder, IReadOnlyDictionary<string, string> variables,
        DeployOutputSink sink, TimeProvider clock)
    {
        var start = new ProcessStartInfo(script)
        {
            UseShellExecute = false,
            WorkingDirectory = workingFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{script} did not start.");
        process.StandardInput.Close();
        var readers = Task.WhenAll(
            ReadAsync(process.StandardOutput, false, sink, clock),
            ReadAsync(process.StandardError, true, sink, clock));
        return new ScriptRun(process, readers);
    }

    private static async Task ReadAsync(StreamReader reader, bool isError, DeployOutputSink sink, TimeProvider clock)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            await sink.AddAsync(new OutputLine(clock.GetUtcNow(), isError, line), CancellationToken.None);
        }
    }

    /// <summary>The exit code once the script has exited; its output pipes are drained (a background child keeping them open gets 5 s).</summary>
    public async Task<int> WaitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        await Task.WhenAny(_readers, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return _process.ExitCode;
    }

    public Task TerminateAsync(TimeSpan grace) => ProcessTree.TerminateAsync(_process, grace);

    public static string Describe(int exitCode) => exitCode switch
    {
        0 => "exit code 0",
        > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"killed by signal {exitCode - 128}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}"),
    };

    public void Dispose() => _process.Dispose();
}
