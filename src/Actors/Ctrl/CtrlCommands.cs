namespace JdMail.Actors.Ctrl;

/// <summary>One CTRL command line, parsed and with its argument count checked (xmail-reference.md §1.6).</summary>
public abstract record CtrlCommand
{
    /// <summary>The command name as the table knows it (lower case).</summary>
    public abstract string Verb { get; }
}

// XMail's directory commands. Token counts include the command itself.
/// <summary>domainadd: 2 tokens.</summary>
public sealed record DomainAddCommand(string Domain) : CtrlCommand { public override string Verb => "domainadd"; }
/// <summary>domaindel: 2 tokens.</summary>
public sealed record DomainDelCommand(string Domain) : CtrlCommand { public override string Verb => "domaindel"; }
/// <summary>domainlist: 1 or more tokens, each a wildcard; a domain is listed when it matches any (all when none).</summary>
public sealed record DomainListCommand(IReadOnlyList<string> Patterns) : CtrlCommand { public override string Verb => "domainlist"; }
/// <summary>useradd: 5 tokens; a type other than <c>M</c> is a user, as in XMail.</summary>
public sealed record UserAddCommand(string Domain, string User, string Password, string UserType) : CtrlCommand
{
    public override string Verb => "useradd";
    // Keeps the password out of logs and exception texts.
    public override string ToString() => $"useradd {Domain} {User} ***** {UserType}";
}
/// <summary>userdel: 3 tokens.</summary>
public sealed record UserDelCommand(string Domain, string User) : CtrlCommand { public override string Verb => "userdel"; }
/// <summary>userpasswd: 4 tokens.</summary>
public sealed record UserPasswdCommand(string Domain, string User, string Password) : CtrlCommand
{
    public override string Verb => "userpasswd";
    public override string ToString() => $"userpasswd {Domain} {User} *****";
}
/// <summary>userauth: 4 tokens; checks the password against the stored hash.</summary>
public sealed record UserAuthCommand(string Domain, string User, string Password) : CtrlCommand
{
    public override string Verb => "userauth";
    public override string ToString() => $"userauth {Domain} {User} *****";
}
/// <summary>userlist: 1 to 3 tokens, optional domain and user wildcards.</summary>
public sealed record UserListCommand(string DomainPattern, string UserPattern) : CtrlCommand { public override string Verb => "userlist"; }
/// <summary>uservars: 3 tokens.</summary>
public sealed record UserVarsCommand(string Domain, string User) : CtrlCommand { public override string Verb => "uservars"; }
/// <summary>uservarsset: 5 or more tokens, an odd count: (name, value) pairs; the value <c>.|rm</c> removes a variable.</summary>
public sealed record UserVarsSetCommand(string Domain, string User, IReadOnlyList<(string Name, string Value)> Pairs) : CtrlCommand
{
    public override string Verb => "uservarsset";
}
/// <summary>aliasadd: 4 tokens.</summary>
public sealed record AliasAddCommand(string Domain, string Alias, string Account) : CtrlCommand { public override string Verb => "aliasadd"; }
/// <summary>aliasdel: 3 tokens.</summary>
public sealed record AliasDelCommand(string Domain, string Alias) : CtrlCommand { public override string Verb => "aliasdel"; }
/// <summary>aliaslist: 1 to 4 tokens, optional domain, alias and account wildcards.</summary>
public sealed record AliasListCommand(string DomainPattern, string AliasPattern, string AccountPattern) : CtrlCommand
{
    public override string Verb => "aliaslist";
}
/// <summary>noop: 1 token.</summary>
public sealed record NoopCommand : CtrlCommand { public override string Verb => "noop"; }
/// <summary>quit: 1 token; answered <c>+00000 OK</c>, then the connection closes.</summary>
public sealed record QuitCommand : CtrlCommand { public override string Verb => "quit"; }

/// <summary>A line that is not a valid command; <paramref name="Reply"/> says why.</summary>
public sealed record InvalidCtrlCommand(CtrlReply Reply) : CtrlCommand { public override string Verb => ""; }
