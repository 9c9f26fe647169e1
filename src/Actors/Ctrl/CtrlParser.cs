namespace JdMail.Actors.Ctrl;

/// <summary>
/// Pure CTRL command parser: the command name is case-insensitive (XMail compares with <c>stricmp</c>), and each
/// command accepts exactly XMail's token counts (the command included); anything else is <c>-00103</c>, as in XMail.
/// </summary>
public static class CtrlParser
{
    // The fields each certificate form accepts (issue 4 §4), plus "from" to start from an earlier item's fields.
    private static readonly string[] CaFields = ["c", "st", "l", "o", "ou", "cn", "email", "keyspec", "days", "note", "replace", "from"];
    private static readonly string[] RequestFields = ["c", "st", "l", "o", "ou", "cn", "email", "san", "keyspec", "note", "from"];
    private static readonly string[] ServerFields = ["c", "st", "l", "o", "ou", "cn", "email", "san", "keyspec", "days", "install", "note", "from"];
    private static readonly string[] ClientFields = ["cn", "email", "keyspec", "days", "p12profile", "note", "from"];

    private sealed record Rule(int Min, int Max, bool OddOnly, Func<IReadOnlyList<string>, CtrlCommand> Build);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["domainadd"] = new(2, 2, false, t => new DomainAddCommand(t[1])),
        ["domaindel"] = new(2, 2, false, t => new DomainDelCommand(t[1])),
        ["domainlist"] = new(1, int.MaxValue, false, t => new DomainListCommand(t.Skip(1).ToList())),
        ["useradd"] = new(5, 5, false, t => new UserAddCommand(t[1], t[2], t[3], t[4])),
        ["userdel"] = new(3, 3, false, t => new UserDelCommand(t[1], t[2])),
        ["userpasswd"] = new(4, 4, false, t => new UserPasswdCommand(t[1], t[2], t[3])),
        ["userauth"] = new(4, 4, false, t => new UserAuthCommand(t[1], t[2], t[3])),
        ["userlist"] = new(1, 3, false, t => new UserListCommand(Arg(t, 1), Arg(t, 2))),
        ["uservars"] = new(3, 3, false, t => new UserVarsCommand(t[1], t[2])),
        ["uservarsset"] = new(5, int.MaxValue, true, t => new UserVarsSetCommand(t[1], t[2],
            Enumerable.Range(0, (t.Count - 3) / 2).Select(i => (t[3 + 2 * i], t[4 + 2 * i])).ToList())),
        ["aliasadd"] = new(4, 4, false, t => new AliasAddCommand(t[1], t[2], t[3])),
        ["aliasdel"] = new(3, 3, false, t => new AliasDelCommand(t[1], t[2])),
        ["aliaslist"] = new(1, 4, false, t => new AliasListCommand(Arg(t, 1), Arg(t, 2), Arg(t, 3))),
        ["cacreate"] = Form(CaFields, f => new CaCreateCommand(f)),
        ["cainfo"] = new(1, 1, false, _ => new CaInfoCommand()),
        ["caget"] = new(2, 2, false, t => OneOf(t[1], ["der", "pem"], f => new CaGetCommand(f))),
        ["certreq"] = Form(RequestFields, f => new CertReqCommand(f)),
        ["certimport"] = new(2, 2, false, t => new CertImportCommand(t[1])),
        ["certself"] = Form(ServerFields, f => new CertSelfCommand(f)),
        ["certserver"] = Form(ServerFields, f => new CertServerCommand(f)),
        ["certclient"] = Form(ClientFields, f => new CertClientCommand(f)),
        ["certlist"] = new(1, 2, false, t => new CertListCommand(t.Count > 1 ? t[1].ToLowerInvariant() : null)),
        ["certshow"] = new(2, 2, false, t => new CertShowCommand(t[1])),
        ["certget"] = new(3, 3, false, t => OneOf(t[2], ["cert", "chain", "key", "csr", "der", "p12"], k => new CertGetCommand(t[1], k))),
        ["certinstall"] = new(2, 2, false, t => new CertInstallCommand(t[1])),
        ["certrevoke"] = new(2, 3, false, t => new CertRevokeCommand(t[1], t.Count > 2 ? t[2] : "unspecified")),
        ["certdelete"] = new(2, 2, false, t => new CertDeleteCommand(t[1])),
        ["crlget"] = new(1, 2, false, t => OneOf(t.Count > 1 ? t[1] : "pem", ["pem", "der"], f => new CrlGetCommand(f))),
        ["certprofiles"] = new(1, 1, false, _ => new CertProfilesCommand()),
        ["diag"] = new(1, 1, false, _ => new DiagCommand()),
        ["noop"] = new(1, 1, false, _ => new NoopCommand()),
        ["quit"] = new(1, 1, false, _ => new QuitCommand()),
    };

    /// <summary>The field names a form command accepts.</summary>
    public static IReadOnlyList<string> FieldsOf(string verb) => verb.ToLowerInvariant() switch
    {
        "cacreate" => CaFields,
        "certreq" => RequestFields,
        "certself" or "certserver" => ServerFields,
        "certclient" => ClientFields,
        _ => [],
    };

    /// <summary>A form command: the command then (name, value) pairs, names from <paramref name="allowed"/>, each once.</summary>
    private static Rule Form(string[] allowed, Func<IReadOnlyList<CtrlField>, CtrlCommand> build) => new(1, int.MaxValue, true, t =>
    {
        var fields = new List<CtrlField>();
        for (var i = 1; i + 1 < t.Count; i += 2)
        {
            var name = t[i].ToLowerInvariant();
            if (!allowed.Contains(name))
                return new InvalidCtrlCommand(CtrlReply.Error(103, $"Bad CTRL command syntax: unknown field '{Printable(t[i])}' (fields: {string.Join(' ', allowed)})"));
            if (fields.Any(f => f.Name == name))
                return new InvalidCtrlCommand(CtrlReply.Error(103, $"Bad CTRL command syntax: field '{name}' given twice"));
            fields.Add(new CtrlField(name, t[i + 1]));
        }
        return build(fields);
    });

    private static CtrlCommand OneOf(string value, string[] allowed, Func<string, CtrlCommand> build)
    {
        var v = value.ToLowerInvariant();
        return allowed.Contains(v) ? build(v)
            : new InvalidCtrlCommand(CtrlReply.Error(103, $"Bad CTRL command syntax: '{Printable(value)}' is not {string.Join('|', allowed)}"));
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "..." : s;

    /// <summary>The command names this parser knows (lower case).</summary>
    public static IReadOnlyCollection<string> Verbs => Rules.Keys;

    public static CtrlCommand Parse(IReadOnlyList<string> tokens)
    {
        if (tokens.Count == 0 || !Rules.TryGetValue(tokens[0], out var rule)) return new InvalidCtrlCommand(CtrlReply.BadCommand);
        if (tokens.Count < rule.Min || tokens.Count > rule.Max || (rule.OddOnly && tokens.Count % 2 == 0))
            return new InvalidCtrlCommand(CtrlReply.BadCommand);
        return rule.Build(tokens);
    }

    private static string Arg(IReadOnlyList<string> t, int i) => i < t.Count ? t[i] : "*";
}
