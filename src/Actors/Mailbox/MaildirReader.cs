using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Mailbox;

/// <summary>One message as POP3 sees it: its number in this session, its persistent unique id, size and file.</summary>
public sealed record MaildirMessage(int Number, string Uid, long Size, string Path);

/// <summary>What applying deletions achieved: messages removed, and the ones that could not be.</summary>
public sealed record DeletionResult(int Removed, IReadOnlyList<string> Failed)
{
    public bool Succeeded => Failed.Count == 0;
}

/// <summary>
/// Reads a Maildir for POP3 without changing it: lists <c>new/</c> and <c>cur/</c>, derives unique ids and sizes
/// from the file names, opens messages, and removes messages when a session commits its deletions. Blocking file
/// I/O: call it off actor threads.
/// </summary>
public static class MaildirReader
{
    // RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
    private const int MaxUidLength = 70;

    /// <summary>
    /// Lists every message in <c>new/</c> and <c>cur/</c>, numbered 1..N in the order of their unique names (delivery
    /// names start with the arrival time, so this is arrival order and the same in every session). A missing
    /// Maildir is an empty mailbox. Files whose names start with "." are in-progress or hidden and are skipped.
    /// </summary>
    public static MailboxSnapshot Load(string maildir)
    {
        var found = new List<(string Uid, string Base, long? Size, string Path)>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = System.IO.Path.Combine(maildir, sub);
            if (!System.IO.Directory.Exists(dir)) continue;
            foreach (var file in System.IO.Directory.EnumerateFiles(dir))
            {
                var name = System.IO.Path.GetFileName(file);
                if (name.StartsWith('.')) continue;
                var (baseName, size) = ParseName(name);
                found.Add((UidFor(baseName), baseName, size, file));
            }
        }
        var messages = new List<MaildirMessage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in found.OrderBy(f => f.Base, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            // The same unique name in new/ and cur/ would give two messages one UIDL; show the first only.
            if (!seen.Add(m.Uid)) continue;
            var size = m.Size ?? new FileInfo(m.Path).Length;
            messages.Add(new MaildirMessage(messages.Count + 1, m.Uid, size, m.Path));
        }
        return new MailboxSnapshot(maildir, messages);
    }

    /// <summary>
    /// Splits a Maildir file name into its unique base (before the first "," or ":") and the size from an
    /// ",S=&lt;octets&gt;" field when there is one (Courier/Dovecot convention, written by <see cref="Maildir.Deliver"/>).
    /// Flags after ":2," are not part of the identity, so a message keeps its id when it moves new → cur.
    /// </summary>
    public static (string BaseName, long? Size) ParseName(string fileName)
    {
        var colon = fileName.IndexOf(':');
        var withoutFlags = colon < 0 ? fileName : fileName[..colon];
        var fields = withoutFlags.Split(',');
        long? size = null;
        foreach (var field in fields.Skip(1))
            if (field.StartsWith("S=", StringComparison.Ordinal) &&
                long.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                size = s;
        return (fields[0], size);
    }

    /// <summary>
    /// The UIDL for a base name: the name itself when it is a valid unique-id (RFC 1939 §7), else a digest of it,
    /// which is just as stable across sessions.
    /// </summary>
    public static string UidFor(string baseName)
    {
        if (baseName.Length is > 0 and <= MaxUidLength && baseName.All(c => c is >= '!' and <= '~')) return baseName;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(baseName)))[..40].ToLowerInvariant();
    }

    /// <summary>Opens a message for sequential asynchronous reading.</summary>
    public static FileStream Open(MaildirMessage message) =>
        new(message.Path, new FileStreamOptions
        {
            Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0, Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });

    /// <summary>
    /// Removes the given messages and fsyncs the folders they were in, so the deletion survives a crash once QUIT
    /// has been answered (RFC 1939 §6). A file that is already gone counts as removed.
    /// </summary>
    public static DeletionResult Delete(IEnumerable<MaildirMessage> messages)
    {
        var failed = new List<string>();
        var removed = 0;
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            try
            {
                File.Delete(m.Path);     // no exception when the file does not exist
                removed++;
                folders.Add(System.IO.Path.GetDirectoryName(m.Path)!);
            }
            catch (DirectoryNotFoundException)
            {
                removed++;               // the whole folder is gone, and the message with it
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed.Add(m.Uid);
            }
        }
        foreach (var folder in folders)
        {
            try { Durable.SyncDirectory(folder); }
            catch (IOException) { failed.Add(folder); }
        }
        return new DeletionResult(removed, failed);
    }
}
