using System.Text.RegularExpressions;

namespace OpsPortal.Core.Processes;

/// <summary>
/// What to run: a program by absolute path (never looked up, never through a shell), its arguments
/// one by one, a working folder, the variables it gets beyond the few every process inherits, and how
/// long it may take. <see cref="ProcessLauncher"/> checks all of it before anything starts.
/// </summary>
/// <param name="Program">Absolute path of an executable file (a script's shebang picks its interpreter).</param>
/// <param name="WorkingDirectory">Absolute path of an existing folder.</param>
public sealed partial record ProcessSpec(string Program, string WorkingDirectory)
{
    /// <summary>Passed as they are: no shell parses them, so quotes, <c>$</c> and <c>;</c> are plain characters.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// Variables on top of <see cref="ProcessLauncher.InheritedVariables"/> (e.g. <c>OPS_VERSION</c>, or
    /// <c>PGPASSWORD</c> for a backup). Names like <c>[A-Za-z_][A-Za-z0-9_]*</c>; the portal's own
    /// <c>OPSPORTAL_*</c> settings are refused.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The whole run, children included; past it everything is stopped (SIGTERM, then SIGKILL after <see cref="KillGrace"/>).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Between SIGTERM and SIGKILL, on timeout, cancel, and when the portal itself dies.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most bytes of each stream kept by <see cref="ProcessLauncher.RunAsync"/>; the rest is read and dropped.</summary>
    public int MaxCapturedBytes { get; init; } = 1024 * 1024;

    internal static readonly TimeSpan MinGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>Null when the spec can run; otherwise why not, in words for a log or a page.</summary>
    internal string? Problem()
    {
        if (!Path.IsPathFullyQualified(Program))
        {
            return $"the program must be an absolute path, not '{Program}'";
        }
        if (!File.Exists(Program))
        {
            return $"{Program} does not exist";
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            return $"{Program} is not executable";
        }
        if (!Path.IsPathFullyQualified(WorkingDirectory) || !Directory.Exists(WorkingDirectory))
        {
            return $"the working folder {WorkingDirectory} does not exist";
        }
        if (Arguments.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            return "an argument contains a NUL character";
        }
        foreach (var (name, value) in Environment)
        {
            if (!VariableName().IsMatch(name))
            {
                return $"'{name}' is not a valid variable name";
            }
            if (name.StartsWith("OPSPORTAL_", StringComparison.OrdinalIgnoreCase))
            {
                return $"{name}: the portal's own settings are never passed to a process";
            }
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                return $"the value of {name} contains a NUL character";
            }
        }
        if (Timeout <= TimeSpan.Zero)
        {
            return "the timeout must be positive";
        }
        if (KillGrace < TimeSpan.Zero || KillGrace > TimeSpan.FromMinutes(5))
        {
            return "the kill grace must be between 0 and 5 minutes";
        }
        return MaxCapturedBytes <= 0 ? "MaxCapturedBytes must be positive" : null;
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex VariableName();
}

/// <summary>A spec that cannot run, or a program that could not be started; <see cref="Exception.Message"/> says why.</summary>
public sealed class ProcessLaunchException : Exception
{
    public ProcessLaunchException()
    {
    }

    public ProcessLaunchException(string message)
        : base(message)
    {
    }

    public ProcessLaunchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One line a process printed.</summary>
/// <param name="IsError">True for stderr.</param>
public readonly record struct ProcessLine(bool IsError, string Text);

/// <summary>How a process ended.</summary>
/// <param name="ExitCode">Its exit code; 128 + N when signal N ended it.</param>
/// <param name="TimedOut">True when <see cref="ProcessSpec.Timeout"/> passed and the launcher stopped it.</param>
public readonly record struct ProcessExit(int ExitCode, bool TimedOut);

/// <summary>The outcome of <see cref="ProcessLauncher.RunAsync"/>: how it ended and what it printed.</summary>
/// <param name="Truncated">True when a stream printed more than <see cref="ProcessSpec.MaxCapturedBytes"/>.</param>
public sealed record ProcessResult(ProcessExit Exit, string Output, string Error, bool Truncated);
