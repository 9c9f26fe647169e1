namespace JdMail.Actors.Ctrl;

/// <summary>
/// Pure CTRL command parser: the command name is case-insensitive (XMail compares with <c>stricmp</c>), and each
/// command accepts exactly XMail's token counts (the command included); anything else is <c>-00103</c>, as in XMail.
/// </summary>
public static class CtrlParser
{
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
        ["noop"] = new(1, 1, false, _ => new NoopCommand()),
        ["quit"] = new(1, 1, false, _ => new QuitCommand()),
    };

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
