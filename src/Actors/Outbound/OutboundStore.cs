using System.Text;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Outbound;

/// <summary>
/// The files of the remote queue. <c>spool/outbound/&lt;id&gt;.msg</c> is the spool file as received (never
/// changed), <c>&lt;id&gt;.state</c> the per-recipient state, <c>&lt;id&gt;.log</c> a line per event (XMail's
/// <c>slog</c>). Frozen messages keep the same three files in <c>spool/frozen</c>. Every state change is a
/// temp-file + fsync + rename, so a SIGKILL at any point leaves either the old or the new state; the message file is
/// removed only after its state says every recipient is done, so nothing acknowledged can be lost (at worst a
/// recipient gets a copy twice).
/// </summary>
public sealed class OutboundStore(string spool)
{
    public string QueueDir { get; } = Path.Combine(spool, "outbound");
    public string FrozenDir { get; } = Path.Combine(spool, "frozen");

    public static string MessageFile(string dir, string id) => Path.Combine(dir, id + ".msg");
    public static string StateFile(string dir, string id) => Path.Combine(dir, id + ".state");
    public static string LogFile(string dir, string id) => Path.Combine(dir, id + ".log");

    /// <summary>Ids are file names chosen by us; anything else (a path, "..") is refused.</summary>
    public static bool ValidId(string id) => id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !id.Contains("..");

    public void EnsureFolders()
    {
        System.IO.Directory.CreateDirectory(QueueDir);
        System.IO.Directory.CreateDirectory(FrozenDir);
    }

    public IEnumerable<string> Ids(string dir) => System.IO.Directory.Exists(dir)
        ? System.IO.Directory.EnumerateFiles(dir, "*.msg").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order()
        : [];

    /// <summary>The stored state, or the initial one for a message that has none yet (just handed over).</summary>
    public OutboundState Load(string dir, string id, SpoolEnvelope envelope, long nowUnixMs)
    {
        var file = StateFile(dir, id);
        if (File.Exists(file))
        {
            try { return OutboundState.Parse(File.ReadAllText(file)); }
            catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or IndexOutOfRangeException)
            {
                // A damaged state file cannot lose mail: start again from the envelope (duplicates at worst).
                AppendLog(dir, id, $"state file unreadable ({e.Message}); starting over from the envelope");
            }
        }
        return OutboundState.Initial(envelope, nowUnixMs);
    }

    public OutboundState? TryLoadState(string dir, string id)
    {
        try { return File.Exists(StateFile(dir, id)) ? OutboundState.Parse(File.ReadAllText(StateFile(dir, id))) : null; }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or IndexOutOfRangeException) { return null; }
    }

    public void Save(string dir, OutboundState state) => Durable.WriteAllText(StateFile(dir, state.Id), state.Serialize(), Durable.PrivateFile);

    /// <summary>Appends one line: UTC time, then the fields, tab-separated (each cleaned of tabs and line breaks).</summary>
    public void AppendLog(string dir, string id, params string?[] fields)
    {
        var text = $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z\t{string.Join('\t', fields.Select(f => OutboundState.Clean(f ?? "")))}\n";
        using var fs = new FileStream(LogFile(dir, id), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        fs.Write(Encoding.UTF8.GetBytes(text));
        fs.Flush(flushToDisk: true);
    }

    public string? ReadLog(string dir, string id) => File.Exists(LogFile(dir, id)) ? File.ReadAllText(LogFile(dir, id)) : null;

    /// <summary>Every recipient is done and none failed (or freezing is off): remove the message, then its state and log.</summary>
    public void Remove(string dir, string id)
    {
        // Message first: a crash after this leaves a state without a message, which the start-up scan discards.
        DeleteDurably(MessageFile(dir, id));
        File.Delete(StateFile(dir, id));
        File.Delete(LogFile(dir, id));
        Durable.SyncDirectory(dir);
    }

    /// <summary>Moves state, log, then message between the queue and the frozen folder; a crash half-way leaves the message in one place (at worst retried from scratch).</summary>
    public void Move(string fromDir, string toDir, string id)
    {
        System.IO.Directory.CreateDirectory(toDir);
        foreach (var f in new[] { StateFile(fromDir, id), LogFile(fromDir, id), MessageFile(fromDir, id) })
            if (File.Exists(f)) Durable.Move(f, Path.Combine(toDir, Path.GetFileName(f)), overwrite: true);
    }

    /// <summary>Start-up clean-up: state or log files whose message is gone (a crash during removal).</summary>
    public void DropOrphans(string dir)
    {
        if (!System.IO.Directory.Exists(dir)) return;
        foreach (var f in System.IO.Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".state") || f.EndsWith(".log")).ToList())
        {
            var id = Path.GetFileNameWithoutExtension(f);
            if (!File.Exists(MessageFile(dir, id))) File.Delete(f);
        }
    }

    private static void DeleteDurably(string path)
    {
        if (!File.Exists(path)) return;
        File.Delete(path);
        Durable.SyncDirectory(Path.GetDirectoryName(path)!);
    }
}
