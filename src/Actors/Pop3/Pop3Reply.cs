using System.Text;

namespace JdMail.Actors.Pop3;

/// <summary>
/// A POP3 status line: <c>+OK</c> or <c>-ERR</c>, an optional extended response code in brackets (RFC 2449 §8,
/// codes from RFC 2449 §8.1 and RFC 3206) and a short text. Texts sent to clients are generic; details go to the log.
/// </summary>
public sealed record Pop3Reply(bool Success, string? Code, string Text)
{
    public string ToWire()
    {
        var sb = new StringBuilder(Success ? "+OK" : "-ERR");
        if (Code is not null) sb.Append(" [").Append(Code).Append(']');
        if (Text.Length > 0) sb.Append(' ').Append(Text);
        return sb.Append("\r\n").ToString();
    }

    public override string ToString() => ToWire().TrimEnd();

    /// <summary>
    /// A multi-line response (RFC 1939 §3): this status line, the lines dot-stuffed, then the "." terminator.
    /// </summary>
    public string ToWire(IEnumerable<string> lines)
    {
        var sb = new StringBuilder(ToWire());
        foreach (var line in lines)
        {
            if (line.StartsWith('.')) sb.Append('.');
            sb.Append(line).Append("\r\n");
        }
        return sb.Append(".\r\n").ToString();
    }

    private static Pop3Reply Positive(string text) => new(true, null, text);
    private static Pop3Reply Negative(string text, string? code = null) => new(false, code, text);

    // Well-known replies, one place for the wording.
    public static readonly Pop3Reply Ok = Positive("");
    public static readonly Pop3Reply CapabilityList = Positive("Capability list follows");
    public static readonly Pop3Reply MechanismList = Positive("Mechanisms follow");
    public static readonly Pop3Reply UserAccepted = Positive("Send PASS");
    public static readonly Pop3Reply ReadyForTls = Positive("Begin TLS negotiation");
    public static readonly Pop3Reply UniqueIdList = Positive("Unique-ID listing follows");
    public static readonly Pop3Reply TopFollows = Positive("Top of message follows");

    public static readonly Pop3Reply UnknownCommand = Negative("Unknown command");
    public static readonly Pop3Reply SyntaxError = Negative("Syntax error in arguments");
    public static readonly Pop3Reply BadCharacters = Negative("Invalid characters in command");
    public static readonly Pop3Reply LineTooLong = Negative("Line too long, closing connection");
    public static readonly Pop3Reply NotLoggedIn = Negative("Not logged in");
    public static readonly Pop3Reply AlreadyLoggedIn = Negative("Already logged in");
    public static readonly Pop3Reply UserFirst = Negative("Send USER first");
    public static readonly Pop3Reply NoSuchMessage = Negative("No such message");
    public static readonly Pop3Reply MessageDeleted = Negative("Message is deleted");
    public static readonly Pop3Reply MessageGone = Negative("Message no longer available");
    // RFC 1939 §9: APOP needs the clear-text secret on the server; JdMail only keeps PBKDF2 hashes.
    public static readonly Pop3Reply ApopNotSupported = Negative("APOP not supported, use USER/PASS or AUTH PLAIN over TLS");
    public static readonly Pop3Reply TlsAlreadyActive = Negative("TLS already active");
    public static readonly Pop3Reply TlsNotAvailable = Negative("STLS not available on this port");
    public static readonly Pop3Reply InjectionAfterStls = Negative("Pipelined data after STLS refused, closing connection");
    public static readonly Pop3Reply TooManyFailedLogins = new(false, "SYS/TEMP", "Too many failed logins from your address, try again later");
    public static readonly Pop3Reply AuthFailed = Negative("Authentication failed", "AUTH");
    public static readonly Pop3Reply AuthCancelled = Negative("Authentication cancelled");
    public static readonly Pop3Reply AuthBadBase64 = Negative("Cannot decode response");
    public static readonly Pop3Reply AuthMechanismUnknown = Negative("Unsupported authentication mechanism");
    public static readonly Pop3Reply InUse = Negative("Mailbox in use by another session", "IN-USE");
    public static readonly Pop3Reply MailboxUnavailable = Negative("Cannot open mailbox, try again later", "SYS/TEMP");
    public static readonly Pop3Reply LocalError = Negative("Local error, try again later", "SYS/TEMP");
    public static readonly Pop3Reply DeletionFailed = Negative("Some deleted messages could not be removed", "SYS/TEMP");
    public static readonly Pop3Reply TooManyErrors = Negative("Too many errors, closing connection");

    /// <summary>
    /// Password authentication refused because the connection is in clear (RFC 2595 §2.1, RFC 8314). The AUTH code
    /// tells clients not to retry the same credentials blindly.
    /// </summary>
    public static Pop3Reply EncryptionRequired(bool stlsOffered) =>
        Negative(stlsOffered ? "TLS required for authentication, use STLS" : "TLS required for authentication", "AUTH");

    public static Pop3Reply Greeting(string host) => Positive($"{host} POP3 JdMail ready");
    public static Pop3Reply Bye(string host) => Positive($"{host} POP3 signing off");
    public static Pop3Reply Maildrop(int count, long octets) => Positive($"Maildrop has {count} message{(count == 1 ? "" : "s")} ({octets} octets)");
    public static Pop3Reply Stat(int count, long octets) => Positive($"{count} {octets}");
    public static Pop3Reply Scan(int number, long octets) => Positive($"{number} {octets}");
    public static Pop3Reply UniqueId(int number, string uid) => Positive($"{number} {uid}");
    public static Pop3Reply MessageFollows(long octets) => Positive($"{octets} octets");
    public static Pop3Reply Deleted(int number) => Positive($"Message {number} deleted");
}
