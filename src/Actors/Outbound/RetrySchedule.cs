namespace JdMail.Actors.Outbound;

/// <summary>
/// XMail's remote-delivery schedule (MessQueue.cpp): the wait before retry 1 is <see cref="FirstWait"/>; each
/// following wait is the previous one plus previous/<see cref="Ratio"/> (integer division, in seconds, as XMail
/// does; ratio 0 keeps the wait constant). <see cref="MaxRetries"/> is XMail's <c>-Qr</c> "maximum number of
/// retries": the first try plus that many retries, then the recipient expires.
/// Defaults 480 s, 16, 32 give waits of 8.0, 8.5, 9.0 … up to about 51.6 minutes, about 12.6 hours in total.
/// </summary>
public sealed record RetrySchedule(TimeSpan FirstWait, int Ratio, int MaxRetries)
{
    public static readonly RetrySchedule XMail = new(TimeSpan.FromSeconds(480), 16, 32);

    /// <summary>The wait after the <paramref name="failedTries"/>-th failed try (1-based).</summary>
    public TimeSpan WaitAfter(int failedTries)
    {
        // Millisecond granularity so tests can use sub-second waits; whole seconds behave exactly like XMail.
        var wait = (long)FirstWait.TotalMilliseconds;
        for (var i = 1; i < failedTries; i++)
        {
            if (Ratio <= 0) break;
            var grow = FirstWait.TotalMilliseconds % 1000 == 0 ? wait / 1000 / Ratio * 1000 : wait / Ratio;
            wait += grow;
            if (wait > (long)TimeSpan.FromDays(7).TotalMilliseconds) break;   // guard against absurd settings
        }
        return TimeSpan.FromMilliseconds(wait);
    }

    /// <summary>Whether a recipient that has failed <paramref name="failedTries"/> times (first try included) has run out of retries.</summary>
    public bool Expired(int failedTries) => failedTries > MaxRetries;
}
