using JdMail.Actors.Spool;

namespace JdMail.Actors.Mailbox;

/// <summary>
/// Maildir delivery (tmp → new, with fsync before the rename). The unique part of the name is derived from the
/// spool id and recipient index, so delivering the same spool file again after a crash finds the earlier copy and
/// does not make a second one.
/// </summary>
public static class Maildir
{
    public static void EnsureFolders(string maildir)
    {
        foreach (var sub in new[] { "tmp", "new", "cur" })
            System.IO.Directory.CreateDirectory(Path.Combine(maildir, sub));
    }

    /// <summary>True when a message whose name starts with <paramref name="baseName"/> is already in new/ or cur/.</summary>
    public static bool Contains(string maildir, string baseName) =>
        System.IO.Directory.EnumerateFiles(Path.Combine(maildir, "new"), baseName + "*").Any() ||
        System.IO.Directory.EnumerateFiles(Path.Combine(maildir, "cur"), baseName + "*").Any();

    /// <summary>
    /// Copies <paramref name="length"/> bytes of <paramref name="source"/> from <paramref name="offset"/> into the
    /// Maildir as a new message. Blocking; run off actor threads.
    /// </summary>
    public static string Deliver(string maildir, string baseName, string source, long offset)
    {
        EnsureFolders(maildir);
        if (Contains(maildir, baseName)) return baseName;
        var tmp = Path.Combine(maildir, "tmp", baseName);
        long size;
        // A leftover tmp file from an interrupted attempt is replaced; mail is readable by its owner only.
        var options = Durable.CreateNewOptions(Durable.PrivateFile, 64 * 1024);
        options.Mode = FileMode.Create;
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024))
        using (var output = new FileStream(tmp, options))
        {
            input.Seek(offset, SeekOrigin.Begin);
            input.CopyTo(output);
            size = output.Length;
            output.Flush(flushToDisk: true);
        }
        // ",S=<size>" lets POP3 report sizes without a stat per message (Courier/Dovecot convention).
        var name = $"{baseName},S={size}";
        Durable.Move(tmp, Path.Combine(maildir, "new", name));
        return name;
    }
}
