namespace JdMail.Actors.Mailbox;

/// <summary>
/// The maildrop a POP3 session works on (RFC 1939 §5): the messages found at login, numbered 1..N for the whole
/// session, plus the deletion marks set by DELE and cleared by RSET. Pure: nothing here touches the disk; the marks
/// are applied by <see cref="MaildirReader.Delete"/> in the UPDATE state only.
/// </summary>
public sealed class MailboxSnapshot
{
    private readonly bool[] _deleted;

    public MailboxSnapshot(string maildir, IReadOnlyList<MaildirMessage> messages)
    {
        Maildir = maildir;
        Messages = messages;
        _deleted = new bool[messages.Count];
    }

    public string Maildir { get; }

    /// <summary>Every message found at login, deleted or not, in number order.</summary>
    public IReadOnlyList<MaildirMessage> Messages { get; }

    /// <summary>Messages not marked deleted (RFC 1939 §5: STAT and LIST do not count deleted messages).</summary>
    public IEnumerable<MaildirMessage> Visible => Messages.Where(m => !_deleted[m.Number - 1]);

    public int Count => Visible.Count();

    public long Octets => Visible.Sum(m => m.Size);

    /// <summary>Messages marked for deletion.</summary>
    public IReadOnlyList<MaildirMessage> MarkedForDeletion => Messages.Where(m => _deleted[m.Number - 1]).ToList();

    /// <summary>Looks a message number up.</summary>
    public Lookup Find(long number, out MaildirMessage? message)
    {
        message = null;
        if (number < 1 || number > Messages.Count) return Lookup.NoSuchMessage;
        message = Messages[(int)number - 1];
        return _deleted[number - 1] ? Lookup.Deleted : Lookup.Found;
    }

    /// <summary>Marks a message deleted; false when there is no such message or it is already marked.</summary>
    public bool MarkDeleted(long number)
    {
        if (Find(number, out _) != Lookup.Found) return false;
        _deleted[number - 1] = true;
        return true;
    }

    /// <summary>RSET: unmarks every message.</summary>
    public void ResetMarks() => Array.Clear(_deleted);

    public enum Lookup { Found, NoSuchMessage, Deleted }
}
