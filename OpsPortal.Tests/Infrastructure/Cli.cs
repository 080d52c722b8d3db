using System.Diagnostics;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>Runs the built app binary as a separate OS process: "another node" for cross-process tests.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Output, string Error, long ExitedAt);

    public static async Task<Result> RunAsync(string database, IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpsPortal.Web.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["OPSPORTAL_DATABASE"] = database;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var exitedAt = Stopwatch.GetTimestamp();
        return new Result(process.ExitCode, await output, await error, exitedAt);
    }
}
