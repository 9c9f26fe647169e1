namespace JdMail.Integration.Tests;

/// <summary>
/// Waits for a condition about a server's files without sleeping: the condition is checked again whenever anything
/// changes below the watched folder (inotify through FileSystemWatcher), and the wait fails at the deadline.
/// The one-second cap on each wait only covers events the kernel may coalesce; it is not a polling rhythm the test
/// relies on.
/// </summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(string watch, Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        using var changed = new SemaphoreSlim(0);
        using var watcher = Watch(watch, changed);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            await changed.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    public static Task<T> UntilAsync<T>(string watch, Func<T> probe, Func<T, bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(watch, () => Task.FromResult(probe()), condition, timeout, what);

    /// <summary>The files of <paramref name="dir"/> once there are at least <paramref name="count"/>, in name order.</summary>
    public static Task<string[]> FilesAsync(string dir, int count, TimeSpan timeout) =>
        UntilAsync(dir, () => Directory.Exists(dir) ? Directory.GetFiles(dir).Order().ToArray() : [], f => f.Length >= count, timeout,
            $"{count} file(s) in {dir}");

    private static FileSystemWatcher Watch(string path, SemaphoreSlim changed)
    {
        // The folder may not exist yet (a Maildir before its first message): watch its nearest existing ancestor.
        var dir = Path.GetFullPath(path);
        while (!Directory.Exists(dir)) dir = Path.GetDirectoryName(dir) ?? Path.GetTempPath();
        var watcher = new FileSystemWatcher(dir)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void Signal(object? _, EventArgs __) { if (changed.CurrentCount == 0) changed.Release(); }
        watcher.Created += Signal;
        watcher.Changed += Signal;
        watcher.Deleted += Signal;
        watcher.Renamed += Signal;
        watcher.Error += Signal;
        watcher.EnableRaisingEvents = true;
        return watcher;
    }
}
