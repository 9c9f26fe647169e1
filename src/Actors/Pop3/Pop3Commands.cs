namespace JdMail.Actors.Pop3;

/// <summary>One POP3 command line, parsed (RFC 1939 §3 and the extensions JdMail offers).</summary>
public abstract record Pop3Command
{
    /// <summary>The verb as the state table knows it (upper case).</summary>
    public abstract string Verb { get; }
}

/// <summary>CAPA (RFC 2449 §5).</summary>
public sealed record CapaCommand : Pop3Command { public override string Verb => "CAPA"; }
/// <summary>USER name (RFC 1939 §7).</summary>
public sealed record UserCommand(string Name) : Pop3Command { public override string Verb => "USER"; }
/// <summary>PASS secret (RFC 1939 §7); the secret is the rest of the line and may contain spaces.</summary>
public sealed record PassCommand(string Password) : Pop3Command
{
    public override string Verb => "PASS";
    // Never let a password reach a log through a record's generated ToString.
    public override string ToString() => "PassCommand { Password = *** }";
}
/// <summary>
/// AUTH (RFC 5034 §4). <paramref name="Mechanism"/> is null for a bare AUTH, which lists the mechanisms;
/// <paramref name="InitialResponse"/> is the optional base64 argument ("=" for empty).
/// </summary>
public sealed record AuthCommand(string? Mechanism, string? InitialResponse) : Pop3Command
{
    public override string Verb => "AUTH";
    public override string ToString() => $"AuthCommand {{ Mechanism = {Mechanism}, InitialResponse = {(InitialResponse is null ? "none" : "***")} }}";
}
/// <summary>STLS (RFC 2595 §4).</summary>
public sealed record StlsCommand : Pop3Command { public override string Verb => "STLS"; }
public sealed record StatCommand : Pop3Command { public override string Verb => "STAT"; }
/// <summary>LIST [msg]; <paramref name="Message"/> null lists every message.</summary>
public sealed record ListCommand(long? Message) : Pop3Command { public override string Verb => "LIST"; }
/// <summary>UIDL [msg] (RFC 1939 §7).</summary>
public sealed record UidlCommand(long? Message) : Pop3Command { public override string Verb => "UIDL"; }
public sealed record RetrCommand(long Message) : Pop3Command { public override string Verb => "RETR"; }
/// <summary>TOP msg n (RFC 1939 §7): the header and the first <paramref name="Lines"/> lines of the body.</summary>
public sealed record TopCommand(long Message, long Lines) : Pop3Command { public override string Verb => "TOP"; }
public sealed record DeleCommand(long Message) : Pop3Command { public override string Verb => "DELE"; }
public sealed record RsetCommand : Pop3Command { public override string Verb => "RSET"; }
public sealed record NoopCommand : Pop3Command { public override string Verb => "NOOP"; }
public sealed record QuitCommand : Pop3Command { public override string Verb => "QUIT"; }
/// <summary>A line that is not a valid command; <paramref name="Reply"/> says why.</summary>
public sealed record InvalidCommand(Pop3Reply Reply) : Pop3Command { public override string Verb => ""; }
