namespace OpsPortal.Core.Deploys.Config;

/// <summary>
/// The rule that only programs inside the configured scripts folder ever run: names are resolved to
/// their real path (every symbolic link followed) and refused when that lies outside the folder.
/// Checked when the configuration loads and again just before a script starts (the file may have
/// been swapped for a link since).
/// </summary>
internal static class ScriptPath
{
    /// <summary>Null when <paramref name="name"/> is a runnable file inside the folder; otherwise why not.</summary>
    public static string? Check(string scriptsFolder, string name, out string? resolved)
    {
        resolved = null;
        if (Path.IsPathRooted(name))
        {
            return "must be a path relative to the scripts folder";
        }
        var full = Path.GetFullPath(Path.Combine(scriptsFolder, name));
        if (!File.Exists(full))
        {
            return $"does not exist ({full})";
        }
        var real = RealPath(full);
        var folder = RealPath(scriptsFolder).TrimEnd('/') + "/";
        if (!real.StartsWith(folder, StringComparison.Ordinal))
        {
            return $"resolves to {real}, outside the scripts folder {folder}";
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(real) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            return $"is not executable (chmod +x {real})";
        }
        resolved = real;
        return null;
    }

    /// <summary>The path with every symbolic link in it followed, like realpath(3).</summary>
    public static string RealPath(string path)
    {
        var current = "/";
        var pending = new Stack<string>(Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        for (var hops = 0; pending.Count > 0;)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }
            var next = part == ".." ? Path.GetDirectoryName(current) ?? "/" : Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    throw new IOException($"Too many symbolic links under {path}");
                }
                // A relative target is relative to the link's folder; re-walk the target's parts from there.
                if (Path.IsPathRooted(target))
                {
                    current = "/";
                }
                foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(p);
                }
                continue;
            }
            current = next;
        }
        return current;
    }
}
