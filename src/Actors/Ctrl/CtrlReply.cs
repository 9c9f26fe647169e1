namespace JdMail.Actors.Ctrl;

/// <summary>
/// A CTRL result line (XMail CTRL protocol): <c>+DDDDD text</c> on success, <c>-DDDDD text</c> on failure, DDDDD
/// a five-digit code. Codes below 01000 are XMail's (<c>XMailErrors</c> enum index); 01000 and above are JdMail's own
/// and documented in docs/ctrl.md. Texts are short and generic; details go to the log.
/// </summary>
public sealed record CtrlReply(bool Ok, int Code, string Text)
{
    public string ToWire() => $"{(Ok ? '+' : '-')}{Code:D5} {Text}\r\n";

    public override string ToString() => ToWire().TrimEnd();

    // Positive replies.
    public static readonly CtrlReply Success = new(true, 0, "OK");
    /// <summary>Rows follow, ended by a line holding a single dot.</summary>
    public static readonly CtrlReply ListFollows = new(true, 100, "OK");
    /// <summary>The server waits for dot-stuffed lines ended by a single dot, then sends a final result.</summary>
    public static readonly CtrlReply SendData = new(true, 101, "OK");
    public static readonly CtrlReply ReadyForTls = new(true, 0, "Ready to start TLS mode");

    // XMail's codes (XMail CTRL protocol).
    public static readonly CtrlReply Timeout = new(false, 5, "Timeout error");
    public static readonly CtrlReply UserNotFound = new(false, 12, "User not found");
    public static readonly CtrlReply InvalidPassword = new(false, 24, "Invalid password");
    public static readonly CtrlReply BadCommand = new(false, 103, "Bad CTRL command syntax");
    public static readonly CtrlReply LineTooLong = new(false, 103, "Command line too long");
    public static readonly CtrlReply BadLogin = new(false, 105, "Bad controller login");
    public static readonly CtrlReply Md5LoginNotSupported = new(false, 105, "Bad controller login: MD5 login not supported, use #!TLS or CTRLS with the password");
    public static readonly CtrlReply IpNotAllowed = new(false, 130, "Server does not like Your IP");
    public static readonly CtrlReply BadCharacters = new(false, 190, "Bad characters in command line");
    public static readonly CtrlReply TlsAlreadyActive = new(false, 242, "TLS link already active");
    public static readonly CtrlReply TlsRequired = new(false, 245, "TLS required for this session");
    public static readonly CtrlReply TlsDisabled = new(false, 249, "TLS service disabled");

    // JdMail's own codes (01000 and above).
    public static readonly CtrlReply LocalError = new(false, 1000, "Local error, try again later");
    public static readonly CtrlReply PipelinedAfterTls = new(false, 1001, "Data pipelined after #!TLS refused");
    public static readonly CtrlReply TooManyFailedLogins = new(false, 1002, "Too many failed logins from your address, retry later");
    public static readonly CtrlReply TooManyErrors = new(false, 1003, "Too many errors, closing connection");
    public static readonly CtrlReply UploadTooLarge = new(false, 1004, "Uploaded data too large");

    public static CtrlReply Error(int code, string text) => new(false, code, text);
}
