using System.Text;

namespace JdMail.Actors.Spool;

/// <summary>Where one recipient's copy goes: a local mailbox, or another server (remote delivery).</summary>
public sealed record SpoolRecipient(string Address, string? LocalDomain, string? LocalUser)
{
    public bool IsLocal => LocalDomain is not null;
}

/// <summary>
/// The envelope stored at the head of a spool file, one header per line, then an empty line, then the message
/// exactly as it will be delivered (our Received: line followed by the client's bytes, dot-unstuffed).
/// </summary>
public sealed record SpoolEnvelope(string Id, long ReceivedAtUnix, string ClientAddress, string Helo, string? AuthUser,
    string? Tls, string MailFrom, IReadOnlyList<SpoolRecipient> Recipients)
{
    private const string Magic = "JDMAIL-SPOOL/1";

    public byte[] Serialize()
    {
        var sb = new StringBuilder();
        sb.Append(Magic).Append("\r\n");
        sb.Append("Id: ").Append(Id).Append("\r\n");
        sb.Append("Received-At: ").Append(ReceivedAtUnix).Append("\r\n");
        sb.Append("Client: ").Append(ClientAddress).Append("\r\n");
        sb.Append("Helo: ").Append(Helo).Append("\r\n");
        if (AuthUser is not null) sb.Append("Auth: ").Append(AuthUser).Append("\r\n");
        if (Tls is not null) sb.Append("Tls: ").Append(Tls).Append("\r\n");
        sb.Append("Mail-From: ").Append(MailFrom).Append("\r\n");
        foreach (var r in Recipients)
            sb.Append("Rcpt-To: ").Append(r.Address).Append(' ')
              .Append(r.IsLocal ? $"local:{r.LocalDomain}/{r.LocalUser}" : "remote").Append("\r\n");
        sb.Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Reads the envelope of a spool file; returns it with the offset where the message starts.</summary>
    public static (SpoolEnvelope Envelope, long DataOffset) Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var header = new List<string>();
        var line = new List<byte>();
        long offset = 0;
        while (true)
        {
            var b = fs.ReadByte();
            if (b < 0) throw new InvalidDataException($"spool file {path} ends inside its envelope");
            offset++;
            if (offset > 1 << 20) throw new InvalidDataException($"spool file {path} has an oversized envelope");
            if (b == '\n')
            {
                var text = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                line.Clear();
                if (text.Length == 0) break;
                header.Add(text);
            }
            else line.Add((byte)b);
        }
        if (header.Count == 0 || header[0] != Magic) throw new InvalidDataException($"{path} is not a JdMail spool file");
        string? Get(string name) => header.Skip(1).Where(h => h.StartsWith(name + ": ", StringComparison.Ordinal)).Select(h => h[(name.Length + 2)..]).FirstOrDefault();
        var recipients = header.Skip(1).Where(h => h.StartsWith("Rcpt-To: ", StringComparison.Ordinal)).Select(h =>
        {
            var parts = h[9..].Split(' ', 2);
            if (parts.Length == 2 && parts[1].StartsWith("local:", StringComparison.Ordinal))
            {
                var du = parts[1][6..].Split('/', 2);
                return new SpoolRecipient(parts[0], du[0], du[1]);
            }
            return new SpoolRecipient(parts[0], null, null);
        }).ToList();
        var env = new SpoolEnvelope(Get("Id") ?? Path.GetFileNameWithoutExtension(path), long.Parse(Get("Received-At") ?? "0"),
            Get("Client") ?? "", Get("Helo") ?? "", Get("Auth"), Get("Tls"), Get("Mail-From") ?? "", recipients);
        return (env, offset);
    }
}
