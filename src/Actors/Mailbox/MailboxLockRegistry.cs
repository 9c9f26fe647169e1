using System.Collections.Concurrent;

namespace JdMail.Actors.Mailbox;

/// <summary>
/// Exclusive access to a maildrop (RFC 1939 §8): one POP3 session per Maildir at a time. In-process only, which is
/// enough while one JdMail process owns a MailRoot. Keys are full paths.
/// </summary>
public sealed class MailboxLockRegistry
{
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    /// <summary>The registry every POP3 session of this process shares.</summary>
    public static MailboxLockRegistry Shared { get; } = new();

    /// <summary>A lease on <paramref name="maildir"/>, or null when another session holds it.</summary>
    public IDisposable? TryAcquire(string maildir)
    {
        var key = Path.GetFullPath(maildir);
        var token = new object();
        return _held.TryAdd(key, token) ? new Lease(this, key, token) : null;
    }

    public bool IsHeld(string maildir) => _held.ContainsKey(Path.GetFullPath(maildir));

    private sealed class Lease(MailboxLockRegistry registry, string key, object token) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            // Removes only this lease's entry, and only once.
            if (Interlocked.Exchange(ref _released, 1) == 0)
                registry._held.TryRemove(new KeyValuePair<string, object>(key, token));
        }
    }
}
