namespace JdMail.Actors.Ctrl;

/// <summary>One CTRL command line, parsed and with its argument count checked (XMail CTRL protocol).</summary>
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

// Certificate commands (issue 4 §4). Arguments are "name" "value" pairs like uservarsset's; the parser checks the
// names each command accepts and that none is given twice.
/// <summary>A form field given as a <c>"name" "value"</c> pair (names lower case).</summary>
public sealed record CtrlField(string Name, string Value);

/// <summary>Commands that fill a certificate form from name/value pairs.</summary>
public abstract record CtrlFormCommand(IReadOnlyList<CtrlField> Fields) : CtrlCommand
{
    public string? Field(string name) => Fields.FirstOrDefault(f => f.Name == name)?.Value;
}

/// <summary>cacreate: c st l o ou cn email keyspec days note replace [from].</summary>
public sealed record CaCreateCommand(IReadOnlyList<CtrlField> Fields) : CtrlFormCommand(Fields) { public override string Verb => "cacreate"; }
/// <summary>cainfo: the current private CA.</summary>
public sealed record CaInfoCommand : CtrlCommand { public override string Verb => "cainfo"; }
/// <summary>caget der|pem: the CA certificate (DER as base64 lines).</summary>
public sealed record CaGetCommand(string Format) : CtrlCommand { public override string Verb => "caget"; }
/// <summary>certreq (public-CA mode, key plus CSR): c st l o ou cn email san keyspec note [from].</summary>
public sealed record CertReqCommand(IReadOnlyList<CtrlField> Fields) : CtrlFormCommand(Fields) { public override string Verb => "certreq"; }
/// <summary>certimport id, then a +00101 upload of the PEM certificate and chain the public CA returned.</summary>
public sealed record CertImportCommand(string Id) : CtrlCommand { public override string Verb => "certimport"; }
/// <summary>certself (self-signed server certificate): c st l o ou cn email san keyspec days install note [from].</summary>
public sealed record CertSelfCommand(IReadOnlyList<CtrlField> Fields) : CtrlFormCommand(Fields) { public override string Verb => "certself"; }
/// <summary>certserver (signed by the private CA): c st l o ou cn email san keyspec days install note [from].</summary>
public sealed record CertServerCommand(IReadOnlyList<CtrlField> Fields) : CtrlFormCommand(Fields) { public override string Verb => "certserver"; }
/// <summary>certclient (.p12 with a generated password): cn email keyspec days p12profile note [from].</summary>
public sealed record CertClientCommand(IReadOnlyList<CtrlField> Fields) : CtrlFormCommand(Fields) { public override string Verb => "certclient"; }
/// <summary>certlist [type].</summary>
public sealed record CertListCommand(string? Type) : CtrlCommand { public override string Verb => "certlist"; }
/// <summary>certshow id.</summary>
public sealed record CertShowCommand(string Id) : CtrlCommand { public override string Verb => "certshow"; }
/// <summary>certget id cert|chain|key|csr|der|p12 (binary as base64 lines).</summary>
public sealed record CertGetCommand(string Id, string Kind) : CtrlCommand { public override string Verb => "certget"; }
/// <summary>certinstall id: becomes server.cert/server.key, used from the next handshake.</summary>
public sealed record CertInstallCommand(string Id) : CtrlCommand { public override string Verb => "certinstall"; }
/// <summary>certrevoke id [reason].</summary>
public sealed record CertRevokeCommand(string Id, string Reason) : CtrlCommand { public override string Verb => "certrevoke"; }
/// <summary>certdelete id.</summary>
public sealed record CertDeleteCommand(string Id) : CtrlCommand { public override string Verb => "certdelete"; }
/// <summary>crlget [pem|der]: the current CA's CRL.</summary>
public sealed record CrlGetCommand(string Format) : CtrlCommand { public override string Verb => "crlget"; }
/// <summary>certprofiles: the generation info of earlier items, reusable with "from" "id".</summary>
public sealed record CertProfilesCommand : CtrlCommand { public override string Verb => "certprofiles"; }
/// <summary>diag: rows "area" "item" "status" "detail".</summary>
public sealed record DiagCommand : CtrlCommand { public override string Verb => "diag"; }
