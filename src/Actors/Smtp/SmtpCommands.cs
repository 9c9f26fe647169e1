namespace JdMail.Actors.Smtp;

/// <summary>One SMTP command line, parsed (RFC 5321 §4.1).</summary>
public abstract record SmtpCommand
{
    /// <summary>The verb as the state table knows it (upper case).</summary>
    public abstract string Verb { get; }
}

public sealed record EhloCommand(string Domain, bool Extended) : SmtpCommand { public override string Verb => Extended ? "EHLO" : "HELO"; }
/// <summary>MAIL FROM; <paramref name="ReversePath"/> is empty for the null sender &lt;&gt;.</summary>
public sealed record MailCommand(string ReversePath, long? Size, bool EightBit) : SmtpCommand { public override string Verb => "MAIL"; }
public sealed record RcptCommand(string ForwardPath) : SmtpCommand { public override string Verb => "RCPT"; }
public sealed record DataCommand : SmtpCommand { public override string Verb => "DATA"; }
public sealed record RsetCommand : SmtpCommand { public override string Verb => "RSET"; }
public sealed record NoopCommand : SmtpCommand { public override string Verb => "NOOP"; }
public sealed record QuitCommand : SmtpCommand { public override string Verb => "QUIT"; }
public sealed record HelpCommand : SmtpCommand { public override string Verb => "HELP"; }
public sealed record VrfyCommand : SmtpCommand { public override string Verb => "VRFY"; }
public sealed record ExpnCommand : SmtpCommand { public override string Verb => "EXPN"; }
public sealed record StartTlsCommand : SmtpCommand { public override string Verb => "STARTTLS"; }
/// <summary>AUTH (RFC 4954 §4); <paramref name="InitialResponse"/> is the optional base64 argument ("=" for empty).</summary>
public sealed record AuthCommand(string Mechanism, string? InitialResponse) : SmtpCommand { public override string Verb => "AUTH"; }
/// <summary>A line that is not a valid command; <paramref name="Reply"/> says why.</summary>
public sealed record InvalidCommand(SmtpReply Reply) : SmtpCommand { public override string Verb => ""; }
