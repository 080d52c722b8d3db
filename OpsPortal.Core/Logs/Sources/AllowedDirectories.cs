using System.Runtime.InteropServices;

namespace OpsPortal.Core.Logs.Sources;

/// <summary>
/// The directories file sources may read (<c>OpsPortal:Logs:AllowedPaths</c>, issue 13.8). A path is
/// inside when its real path — symlinks and <c>..</c> resolved — is inside the real path of one of
/// them, so a link in /var/log to /etc/shadow is outside. Checked when a source is saved and again on
/// the file the tail actually opened.
/// </summary>
internal sealed class AllowedDirectories
{
    private readonly string[] _configured;

    private AllowedDirectories(string[] configured) => _configured = configured;

    /// <summary>The configured list (<c>:</c>-separated absolute paths), or null when one is not absolute.</summary>
    public static AllowedDirectories? Parse(string? value)
    {
        var dirs = (value ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return dirs.All(Path.IsPathFullyQualified) ? new AllowedDirectories([.. dirs.Select(Normal)]) : null;
    }

    public IReadOnlyList<string> Configured => _configured;

    public override string ToString() => _configured.Length == 0 ? "(none)" : string.Join(":", _configured);

    /// <summary>Null when <paramref name="path"/> may be read, else a sentence saying why not.</summary>
    public string? Refuse(string path)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return "A file source needs an absolute path.";
        }
        var real = RealPathOf(path);
        return _configured.Select(d => RealPath(d) ?? d).Any(d => IsInside(real, d))
            ? null
            : $"{path} is outside the directories file sources may read ({this}). " +
              "An administrator of the server sets them with OpsPortal__Logs__AllowedPaths.";
    }

    /// <summary>The real path of a file that may not exist yet: its directory's real path and its name.</summary>
    private static string RealPathOf(string path)
    {
        var full = Normal(path);
        if (RealPath(full) is { } real)
        {
            return real;
        }
        var dir = Path.GetDirectoryName(full);
        return dir is not null && RealPath(dir) is { } realDir ? Path.Combine(realDir, Path.GetFileName(full)) : full;
    }

    private static bool IsInside(string path, string dir) =>
        path.StartsWith(dir.EndsWith('/') ? dir : dir + "/", StringComparison.Ordinal);

    private static string Normal(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>realpath(3): the canonical absolute path, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
}
