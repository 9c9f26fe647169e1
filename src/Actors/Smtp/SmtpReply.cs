using System.Text;

namespace JdMail.Actors.Smtp;

/// <summary>
/// An SMTP reply: code, enhanced status (RFC 3463, announced via ENHANCEDSTATUSCODES, RFC 2034) and text.
/// Texts sent to clients are short and generic; details belong in the log.
/// </summary>
public sealed record SmtpReply(int Code, string? Enhanced, params string[] Lines)
{
    public string ToWire()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Lines.Length; i++)
        {
            sb.Append(Code).Append(i < Lines.Length - 1 ? '-' : ' ');
            if (Enhanced is not null) sb.Append(Enhanced).Append(' ');
            sb.Append(Lines[i]).Append("\r\n");
        }
        return sb.ToString();
    }

    public override string ToString() => ToWire().TrimEnd();

    public bool IsPositive => Code < 400;

    // Well-known replies, one place for the wording.
    public static readonly SmtpReply Ok = new(250, "2.0.0", "Ok");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Sender ok");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Recipient ok");
    public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply ReadyForTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply AuthSucceeded = new(235, "2.7.0", "Authentication successful");
    public static readonly SmtpReply Help = new(214, "2.0.0", "See RFC 5321; commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP STARTTLS AUTH");
    public static readonly SmtpReply CannotVrfy = new(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply Unrecognized = new(500, "5.5.2", "Command not recognized");
    public static readonly SmtpReply LineTooLong = new(500, "5.5.2", "Line too long");
    public static readonly SmtpReply BadCharacters = new(500, "5.5.2", "Invalid characters in command");
    public static readonly SmtpReply SyntaxError = new(501, "5.5.4", "Syntax error in parameters or arguments");
    public static readonly SmtpReply BadAddress = new(501, "5.1.3", "Bad address syntax");
    public static readonly SmtpReply NotImplemented = new(502, "5.5.1", "Command not implemented");
    public static readonly SmtpReply HeloFirst = new(503, "5.5.1", "Send EHLO or HELO first");
    public static readonly SmtpReply NestedMail = new(503, "5.5.1", "Sender already given");
    public static readonly SmtpReply NeedMail = new(503, "5.5.1", "Need MAIL command first");
    public static readonly SmtpReply NeedRcpt = new(503, "5.5.1", "Need RCPT command first");
    public static readonly SmtpReply NotInTransaction = new(503, "5.5.1", "Not allowed during a mail transaction");
    public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Already authenticated");
    public static readonly SmtpReply TlsAlreadyActive = new(503, "5.5.1", "TLS already active");
    public static readonly SmtpReply TlsRequired = new(530, "5.7.0", "Must issue a STARTTLS command first");
    public static readonly SmtpReply TlsNotAvailable = new(454, "4.7.0", "TLS not available");
    public static readonly SmtpReply UnknownParameter = new(555, "5.5.4", "Unsupported MAIL/RCPT parameter");
    public static readonly SmtpReply AuthMechanismUnknown = new(504, "5.5.4", "Unrecognized authentication mechanism");
    public static readonly SmtpReply EncryptionRequired = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static readonly SmtpReply TooManyFailedLogins = new(454, "4.7.0", "Too many failed logins from your address, try again later");
    public static readonly SmtpReply AuthFailed = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply AuthCancelled = new(501, "5.0.0", "Authentication cancelled");
    public static readonly SmtpReply AuthBadBase64 = new(501, "5.5.2", "Cannot decode response");
    public static readonly SmtpReply NoSuchUser = new(550, "5.1.1", "No such user here");
    public static readonly SmtpReply RelayDenied = new(554, "5.7.1", "Relay access denied");
    public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients");
    public static readonly SmtpReply MessageTooBig = new(552, "5.3.4", "Message size exceeds fixed limit");
    public static readonly SmtpReply LocalError = new(451, "4.3.0", "Local error in processing, try again later");
    public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    public static readonly SmtpReply InjectionAfterStartTls = new(421, "4.7.0", "Pipelined data after STARTTLS refused, closing connection");

    public static SmtpReply Greeting(string host) => new(220, null, $"{host} ESMTP JdMail");
    public static SmtpReply Bye(string host) => new(221, "2.0.0", $"{host} closing connection");
    public static SmtpReply Timeout(string host) => new(421, "4.4.2", $"{host} idle timeout, closing connection");
    public static SmtpReply Queued(string id) => new(250, "2.0.0", $"Ok: queued as {id}");
}
