using System.Runtime.InteropServices;

namespace Analytics.Pipeline.Spool;

/// <summary>
/// fsync of a directory, so a newly created segment file's name survives a power loss too (an fsync
/// of the file alone makes its contents durable, not its directory entry). .NET cannot open a
/// directory, so this calls libc.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000;

    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw new IOException($"Could not open the spool folder to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"Could not sync the spool folder (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
