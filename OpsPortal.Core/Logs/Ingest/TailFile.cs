using Microsoft.Win32.SafeHandles;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// A file a tail reads, open by handle: it stays readable (and keeps its identity) after it is
/// renamed or deleted, which is how the end of a rotated file is still read.
/// </summary>
internal sealed class TailFile : IDisposable
{
    private TailFile(string path, SafeFileHandle handle, string id)
    {
        Path = path;
        Handle = handle;
        Id = id;
    }

    /// <summary>The path it was opened by (it may have been renamed since).</summary>
    public string Path { get; }
    public SafeFileHandle Handle { get; }
    public string Id { get; }
    public long Length => RandomAccess.GetLength(Handle);

    /// <summary>
    /// The file at <paramref name="path"/>, or null when there is none. Throws <see cref="UnauthorizedAccessException"/>
    /// when what was opened — after every symlink — is outside <paramref name="allowed"/>.
    /// </summary>
    public static TailFile? TryOpen(string path, AllowedDirectories allowed)
    {
        SafeFileHandle handle;
        try
        {
            // Delete and write sharing: never stand in the way of the writer or of logrotate.
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        try
        {
            // The file opened, not the path asked for: a symlink may have been swapped in between.
            var opened = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget ?? path;
            if (allowed.Refuse(opened) is { } refusal)
            {
                throw new UnauthorizedAccessException(refusal);
            }
            // The identity of what was opened, not of the path: it may have been rotated in between.
            return new TailFile(path, handle, FileIdentity.Of(handle).Id);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The file with identity <paramref name="fileId"/> if rotation left it next to <paramref name="path"/>
    /// under a longer name (<c>access.log.1</c>, <c>access.log-20261126</c>); compressed copies are other files.
    /// </summary>
    public static TailFile? FindRotated(string path, string fileId, AllowedDirectories allowed)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }
        foreach (var candidate in Directory.EnumerateFiles(directory, System.IO.Path.GetFileName(path) + "?*"))
        {
            try
            {
                if (FileIdentity.Of(candidate)?.Id == fileId && TryOpen(candidate, allowed) is { } file)
                {
                    if (file.Id == fileId)
                    {
                        return file;
                    }
                    file.Dispose();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not readable, so not ours to finish.
            }
        }
        return null;
    }

    public void Dispose() => Handle.Dispose();
}
