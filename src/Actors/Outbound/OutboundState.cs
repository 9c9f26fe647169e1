using System.Globalization;
using System.Text;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Outbound;

/// <summary>Where a remote recipient stands.</summary>
public enum RecipientStatus { Pending, Delivered, Failed }

/// <summary>
/// One remote recipient of a queued message: its index in the spool envelope, address, status, failed tries so
/// far, when the next try is due (Unix ms) and the last reason recorded.
/// </summary>
public sealed record RecipientState(int Index, string Address, RecipientStatus Status, int Tries, long NextAttemptUnixMs, string? LastError);

/// <summary>
/// The queue state of one message, stored beside its spool file as <c>&lt;id&gt;.state</c> and rewritten
/// (temp file, fsync, rename) after every attempt. The spool file itself is never changed. Pure: the file I/O is in
/// <see cref="OutboundStore"/>.
/// </summary>
public sealed record OutboundState(string Id, IReadOnlyList<RecipientState> Recipients)
{
    private const string Magic = "JDMAIL-OUTBOUND/1";

    /// <summary>Fresh state: every remote recipient pending, due now.</summary>
    public static OutboundState Initial(SpoolEnvelope envelope, long nowUnixMs) => new(envelope.Id,
        envelope.Recipients.Select((r, i) => (r, i)).Where(x => !x.r.IsLocal)
            .Select(x => new RecipientState(x.i, x.r.Address, RecipientStatus.Pending, 0, nowUnixMs, null)).ToList());

    public bool Finished => Recipients.All(r => r.Status != RecipientStatus.Pending);
    public bool AnyFailed => Recipients.Any(r => r.Status == RecipientStatus.Failed);
    public int MaxTries => Recipients.Count == 0 ? 0 : Recipients.Max(r => r.Tries);

    /// <summary>Earliest due time of a pending recipient, or null when none is pending.</summary>
    public long? NextDueUnixMs => Recipients.Where(r => r.Status == RecipientStatus.Pending).Select(r => (long?)r.NextAttemptUnixMs).Min();

    public IEnumerable<RecipientState> DueAt(long nowUnixMs) =>
        Recipients.Where(r => r.Status == RecipientStatus.Pending && r.NextAttemptUnixMs <= nowUnixMs);

    /// <summary>Applies outcomes of one attempt: delivered, failed (permanent or out of tries), or rescheduled.</summary>
    public (OutboundState State, IReadOnlyList<RecipientOutcome> NewlyFailed) Apply(IEnumerable<RecipientOutcome> outcomes, RetrySchedule retry, long nowUnixMs)
    {
        var byIndex = outcomes.ToDictionary(o => o.Index);
        var failed = new List<RecipientOutcome>();
        var list = Recipients.Select(r =>
        {
            if (r.Status != RecipientStatus.Pending || !byIndex.TryGetValue(r.Index, out var o)) return r;
            var tries = r.Tries + 1;
            switch (o.Kind)
            {
                case OutcomeKind.Delivered:
                    return r with { Status = RecipientStatus.Delivered, Tries = tries, LastError = null };
                case OutcomeKind.Permanent:
                    failed.Add(o);
                    return r with { Status = RecipientStatus.Failed, Tries = tries, LastError = o.Detail };
                default:
                    if (retry.Expired(tries))
                    {
                        // Out of tries: the DSN carries the last temporary reason (RFC 3463 4.4.7 when none better).
                        failed.Add(o with { Status = o.Status.StartsWith('4') ? o.Status : "4.4.7", Detail = $"{o.Detail} (gave up after {tries} tries)" });
                        return r with { Status = RecipientStatus.Failed, Tries = tries, LastError = o.Detail };
                    }
                    return r with { Tries = tries, NextAttemptUnixMs = nowUnixMs + (long)retry.WaitAfter(tries).TotalMilliseconds, LastError = o.Detail };
            }
        }).ToList();
        return (this with { Recipients = list }, failed);
    }

    /// <summary>For a resubmitted frozen message: failed recipients become pending again with a fresh count.</summary>
    public OutboundState Resubmitted(long nowUnixMs) => this with
    {
        Recipients = Recipients.Select(r => r.Status == RecipientStatus.Failed
            ? r with { Status = RecipientStatus.Pending, Tries = 0, NextAttemptUnixMs = nowUnixMs } : r).ToList(),
    };

    public string Serialize()
    {
        var sb = new StringBuilder();
        sb.Append(Magic).Append('\n');
        sb.Append("Id\t").Append(Id).Append('\n');
        foreach (var r in Recipients)
            sb.Append("Rcpt\t").Append(r.Index).Append('\t').Append(r.Status.ToString().ToLowerInvariant()).Append('\t')
              .Append(r.Tries).Append('\t').Append(r.NextAttemptUnixMs).Append('\t').Append(r.Address).Append('\t')
              .Append(Clean(r.LastError ?? "")).Append('\n');
        return sb.ToString();
    }

    public static OutboundState Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Magic) throw new InvalidDataException("not a JdMail outbound state file");
        var id = "";
        var list = new List<RecipientState>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split('\t');
            if (f[0] == "Id" && f.Length >= 2) id = f[1];
            else if (f[0] == "Rcpt" && f.Length >= 7)
                list.Add(new RecipientState(int.Parse(f[1], CultureInfo.InvariantCulture), f[5],
                    Enum.Parse<RecipientStatus>(f[2], ignoreCase: true), int.Parse(f[3], CultureInfo.InvariantCulture),
                    long.Parse(f[4], CultureInfo.InvariantCulture), f[6].Length == 0 ? null : f[6]));
        }
        return new OutboundState(id, list);
    }

    /// <summary>Remote text reaches the state file and logs: no tabs, no line breaks, bounded length.</summary>
    public static string Clean(string s)
    {
        var t = new string(s.Select(c => c is '\t' or '\r' or '\n' ? ' ' : c).Where(c => !char.IsControl(c)).ToArray());
        return t.Length > 500 ? t[..500] : t;
    }
}
