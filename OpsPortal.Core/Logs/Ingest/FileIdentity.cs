using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>A file's identity (<c>major:minor:inode</c>) and its size.</summary>
internal readonly record struct FileIdentity(string Id, long Size)
{
    /// <summary>The path's file (symlinks followed), or null when nothing is there.</summary>
    public static FileIdentity? Of(string path)
    {
        if (Statx(AtFdCwd, path, 0, Mask, out var buffer) == 0)
        {
            return From(buffer);
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno is ENoEnt or ENotDir ? null : throw Failure(path, errno);
    }

    /// <summary>The open file, which keeps its identity after being renamed or deleted.</summary>
    public static FileIdentity Of(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            return Statx(fd, "", AtEmptyPath, Mask, out var buffer) == 0
                ? From(buffer)
                : throw Failure("an open file", Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    // .NET exposes no inode. statx(2) (Linux 4.11, glibc 2.28) rather than stat(2) because struct statx
    // has one layout on every architecture, where struct stat differs between x86_64 and arm64; and with
    // AT_EMPTY_PATH the same call describes an open descriptor, i.e. the file we are still reading after
    // it was renamed away. DllImport of a blittable struct needs no unsafe code in the project.
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint Mask = 0x100 | 0x200; // STATX_INO | STATX_SIZE; the device is always filled in.
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    private static FileIdentity From(in StatxBuffer b) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{b.DeviceMajor}:{b.DeviceMinor}:{b.Inode}"), (long)b.Size);

    private static IOException Failure(string what, int errno) =>
        new($"Cannot stat {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
}
