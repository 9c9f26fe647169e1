using System.Runtime.InteropServices;

namespace JdMail.Actors.Spool;

/// <summary>
/// Crash-safe file primitives: data is fsync'd before a rename publishes it, and the folder is fsync'd after the
/// rename so the new name itself survives a power cut (POSIX rename is atomic but not durable until then).
/// </summary>
public static partial class Durable
{
    /// <summary>Writes <paramref name="content"/> to a temporary name beside <paramref name="path"/>, fsyncs, renames over it.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        System.IO.Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, CreateNewOptions(mode, 4096)))
            {
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(dir);
        }
        catch
        {
            try { File.Delete(temp); } catch { /* best effort */ }
            throw;
        }
    }

    public static void WriteAllText(string path, string content, UnixFileMode? mode = null) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content), mode);

    /// <summary>
    /// Options for a new file created with its final mode, so a private key or a message is never readable by
    /// others, not even briefly.
    /// </summary>
    public static FileStreamOptions CreateNewOptions(UnixFileMode? mode, int bufferSize)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = bufferSize };
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        return options;
    }

    /// <summary>Renames and makes the rename durable.</summary>
    public static void Move(string from, string to, bool overwrite = false)
    {
        File.Move(from, to, overwrite);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(to))!);
        var fromDir = Path.GetDirectoryName(Path.GetFullPath(from))!;
        if (fromDir != Path.GetDirectoryName(Path.GetFullPath(to))) SyncDirectory(fromDir);
    }

    /// <summary>fsync on a directory (Linux/macOS); a no-op where the OS has no such call.</summary>
    public static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = open(dir, O_RDONLY | (OperatingSystem.IsLinux() ? O_DIRECTORY_LINUX : 0));
        if (fd < 0) throw new IOException($"cannot open folder {dir} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of folder {dir} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally { close(fd); }
    }

    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const int O_RDONLY = 0, O_DIRECTORY_LINUX = 0x10000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
