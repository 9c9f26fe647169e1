using System.Net;

namespace JdMail.Actors.Sasl;

/// <summary>
/// Counts failed logins (CTRL, SMTP AUTH, POP3) per source address in a sliding window and blocks an address that reached the limit
/// until its oldest failure leaves the window. In memory only (a restart forgets it), bounded in size, thread-safe:
/// one instance per protocol family is shared by its sessions. A successful login clears the address.
/// </summary>
public sealed class LoginThrottle
{
    private const int MaxTrackedAddresses = 10_000;
    private readonly int _maxFailures;
    private readonly TimeSpan _window;
    private readonly Func<DateTime> _clock;
    private readonly Dictionary<IPAddress, Queue<DateTime>> _failures = new();
    private readonly object _gate = new();

    public LoginThrottle(int maxFailures, TimeSpan window, Func<DateTime>? clock = null)
    {
        _maxFailures = Math.Max(1, maxFailures);
        _window = window;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>True when <paramref name="address"/> may not try to log in now.</summary>
    public bool IsBlocked(IPAddress address)
    {
        lock (_gate)
        {
            if (!_failures.TryGetValue(Key(address), out var q)) return false;
            Expire(q, _clock());
            return q.Count >= _maxFailures;
        }
    }

    public void RecordFailure(IPAddress address)
    {
        lock (_gate)
        {
            var now = _clock();
            var key = Key(address);
            if (!_failures.TryGetValue(key, out var q))
            {
                if (_failures.Count >= MaxTrackedAddresses) Prune(now);
                _failures[key] = q = new Queue<DateTime>();
            }
            Expire(q, now);
            q.Enqueue(now);
            // Keep at most the failures that matter for the decision.
            while (q.Count > _maxFailures) q.Dequeue();
        }
    }

    public void RecordSuccess(IPAddress address)
    {
        lock (_gate) _failures.Remove(Key(address));
    }

    private void Expire(Queue<DateTime> q, DateTime now)
    {
        while (q.Count > 0 && now - q.Peek() >= _window) q.Dequeue();
    }

    private void Prune(DateTime now)
    {
        foreach (var (key, q) in _failures.ToList())
        {
            Expire(q, now);
            if (q.Count == 0) _failures.Remove(key);
        }
        // Still full (an address scan): forget the oldest half rather than grow without bound.
        if (_failures.Count >= MaxTrackedAddresses)
            foreach (var key in _failures.OrderBy(kv => kv.Value.Last()).Take(_failures.Count / 2).Select(kv => kv.Key).ToList())
                _failures.Remove(key);
    }

    private static IPAddress Key(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
