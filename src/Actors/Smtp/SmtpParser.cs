using System.Text;
using System.Text.RegularExpressions;

namespace JdMail.Actors.Smtp;

/// <summary>Pure SMTP command-line parser (RFC 5321 §4.1, parameters from RFC 1870, RFC 6152, RFC 4954).</summary>
public static partial class SmtpParser
{
    public static SmtpCommand Parse(ReadOnlySpan<byte> line)
    {
        // Commands are ASCII (RFC 5321 §2.4); SMTPUTF8 is not offered, so any other byte is an error.
        foreach (var b in line)
            if (b > 126 || (b < 32 && b != '\t')) return new InvalidCommand(SmtpReply.BadCharacters);
        var text = Encoding.ASCII.GetString(line);
        var space = text.IndexOf(' ');
        var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
        var arg = space < 0 ? "" : text[(space + 1)..];

        return verb switch
        {
            "EHLO" or "HELO" => ParseHelo(arg.Trim(), verb == "EHLO"),
            "MAIL" => ParseMail(arg),
            "RCPT" => ParseRcpt(arg),
            "DATA" => arg.Length == 0 ? new DataCommand() : new InvalidCommand(SmtpReply.SyntaxError),
            "RSET" => arg.Length == 0 ? new RsetCommand() : new InvalidCommand(SmtpReply.SyntaxError),
            "NOOP" => new NoopCommand(),        // RFC 5321 §4.1.1.9: a parameter is allowed and ignored
            "QUIT" => arg.Length == 0 ? new QuitCommand() : new InvalidCommand(SmtpReply.SyntaxError),
            "HELP" => new HelpCommand(),
            "VRFY" => new VrfyCommand(),
            "EXPN" => new ExpnCommand(),
            "STARTTLS" => arg.Length == 0 ? new StartTlsCommand() : new InvalidCommand(SmtpReply.SyntaxError),
            "AUTH" => ParseAuth(arg),
            _ => new InvalidCommand(SmtpReply.Unrecognized),
        };
    }

    private static SmtpCommand ParseHelo(string domain, bool extended) =>
        domain.Length > 0 && !domain.Contains(' ') ? new EhloCommand(domain, extended) : new InvalidCommand(SmtpReply.SyntaxError);

    private static SmtpCommand ParseMail(string arg)
    {
        if (!TryPrefix(arg, "FROM:", out var rest)) return new InvalidCommand(SmtpReply.SyntaxError);
        if (!TryPath(rest, allowEmpty: true, out var path, out var parameters)) return new InvalidCommand(SmtpReply.BadAddress);
        long? size = null;
        var eightBit = false;
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=');
            var key = (eq < 0 ? p : p[..eq]).ToUpperInvariant();
            var value = eq < 0 ? null : p[(eq + 1)..];
            switch (key)
            {
                case "SIZE" when value is { Length: > 0 } && value.All(char.IsAsciiDigit):
                    // RFC 1870 §6; a number too large for 64 bits is simply too large (552, not a syntax error).
                    size = long.TryParse(value, System.Globalization.NumberStyles.None, null, out var s) ? s : long.MaxValue; break;
                case "BODY" when value?.ToUpperInvariant() is "8BITMIME" or "7BIT":
                    eightBit = value.ToUpperInvariant() == "8BITMIME"; break;   // RFC 6152 §2
                case "AUTH" when value is not null:
                    break;                                                      // RFC 4954 §5: accepted, not trusted
                default:
                    return new InvalidCommand(SmtpReply.UnknownParameter);
            }
        }
        return new MailCommand(path, size, eightBit);
    }

    private static SmtpCommand ParseRcpt(string arg)
    {
        if (!TryPrefix(arg, "TO:", out var rest)) return new InvalidCommand(SmtpReply.SyntaxError);
        // RFC 5321 §4.1.1.3: <Postmaster> without a domain must be accepted.
        if (rest.Trim().Equals("<postmaster>", StringComparison.OrdinalIgnoreCase)) return new RcptCommand("postmaster");
        if (!TryPath(rest, allowEmpty: false, out var path, out var parameters)) return new InvalidCommand(SmtpReply.BadAddress);
        return parameters.Count == 0 ? new RcptCommand(path) : new InvalidCommand(SmtpReply.UnknownParameter);
    }

    private static SmtpCommand ParseAuth(string arg)
    {
        var parts = arg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2) return new InvalidCommand(SmtpReply.SyntaxError);
        return new AuthCommand(parts[0].ToUpperInvariant(), parts.Length == 2 ? parts[1] : null);
    }

    private static bool TryPrefix(string arg, string prefix, out string rest)
    {
        rest = "";
        if (!arg.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        // Tolerate "MAIL FROM: <a@b>" (a space after the colon), as most servers do.
        rest = arg[prefix.Length..].TrimStart(' ');
        return true;
    }

    /// <summary>Reads "&lt;path&gt; [param ...]"; the path is returned without brackets or source route.</summary>
    private static bool TryPath(string text, bool allowEmpty, out string path, out List<string> parameters)
    {
        path = "";
        parameters = [];
        if (!text.StartsWith('<')) return false;
        var close = ClosingBracket(text);
        if (close < 0) return false;
        var inner = text[1..close];
        var tail = text[(close + 1)..];
        if (tail.Length > 0 && tail[0] != ' ') return false;
        parameters = tail.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        // RFC 5321 §4.1.2 / §C: a source route "@a,@b:" is accepted and ignored.
        if (inner.StartsWith('@'))
        {
            var colon = inner.IndexOf(':');
            if (colon < 0) return false;
            inner = inner[(colon + 1)..];
        }
        if (inner.Length == 0) return allowEmpty;
        if (!IsMailbox(inner)) return false;
        path = inner;
        return true;
    }

    private static int ClosingBracket(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && quoted) { i++; continue; }
            if (c == '"') quoted = !quoted;
            else if (c == '>' && !quoted) return i;
        }
        return -1;
    }

    /// <summary>RFC 5321 §4.1.2 Mailbox, with the §4.5.3.1 length limits.</summary>
    public static bool IsMailbox(string mailbox)
    {
        if (mailbox.Length > 254) return false;
        var at = mailbox.LastIndexOf('@');
        if (at <= 0 || at == mailbox.Length - 1) return false;
        var local = mailbox[..at];
        var domain = mailbox[(at + 1)..];
        if (local.Length > 64) return false;
        var localOk = DotAtom().IsMatch(local) || QuotedString().IsMatch(local);
        var domainOk = Domain().IsMatch(domain) || AddressLiteral().IsMatch(domain);
        return localOk && domainOk;
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")]
    private static partial Regex DotAtom();

    [GeneratedRegex(@"^""([\x20\x21\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*""$")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex Domain();

    [GeneratedRegex(@"^\[(\d{1,3}(\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$")]
    private static partial Regex AddressLiteral();
}
