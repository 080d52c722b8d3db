using System.Globalization;
using OpsPortal.Core.Processes;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// How a deploy or rollback script is run: through the <see cref="ProcessLauncher"/> (no shell, no
/// arguments, a cleared environment plus the <c>OPS_*</c> variables), from the scripts folder, its
/// output lines timed and queued for the <see cref="DeployOutputSink"/>.
/// </summary>
internal static class ScriptRun
{
    public static Task<LaunchedProcess> StartAsync(ProcessLauncher launcher, string script, string scriptsFolder,
        IReadOnlyDictionary<string, string> variables, TimeSpan timeout, TimeSpan grace, DeployOutputSink sink, TimeProvider clock) =>
        launcher.StartAsync(
            new ProcessSpec(script, scriptsFolder) { Environment = variables, Timeout = timeout, KillGrace = grace },
            line => sink.AddAsync(new OutputLine(clock.GetUtcNow(), line.IsError, line.Text), CancellationToken.None));

    public static string Describe(int exitCode) => exitCode switch
    {
        0 => "exit code 0",
        > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"killed by signal {exitCode - 128}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}"),
    };
}
