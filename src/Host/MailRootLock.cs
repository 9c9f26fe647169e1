namespace JdMail.Host;

/// <summary>
/// One running server per MailRoot: <c>jdmail.lock</c> is held open with an exclusive lock (an advisory
/// <c>flock</c> on Unix) for the life of the process, so a second server on the same MailRoot refuses to start
/// instead of sharing the journal and spool. The operating system drops the lock when the process dies, even by
/// SIGKILL, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class MailRootLock : Microsoft.Extensions.Hosting.IHostedService, IDisposable
{
    private readonly FileStream _file;

    private MailRootLock(FileStream file) => _file = file;

    public static MailRootLock Acquire(string mailRoot)
    {
        var path = Path.Combine(mailRoot, "jdmail.lock");
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            file.Write(pid);
            file.Flush();
            return new MailRootLock(file);
        }
        catch (IOException e)
        {
            throw new IOException($"the MailRoot {mailRoot} is in use by another JdMail server ({path} is locked)", e);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _file.Dispose();
}
