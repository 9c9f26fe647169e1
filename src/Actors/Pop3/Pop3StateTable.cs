namespace JdMail.Actors.Pop3;

/// <summary>
/// The POP3 session states of RFC 1939 §3. <see cref="UserGiven"/> is the AUTHORIZATION state right after a
/// successful USER, the only place PASS is accepted (RFC 1939 §7).
/// </summary>
public enum Pop3Phase { Authorization, UserGiven, Transaction, Update }

/// <summary>
/// Declarative command-order rules: which verbs each state accepts, and the reply for the ones it does not.
/// Checked before a command is acted on, so the session actor only deals with commands in their place.
/// </summary>
public static class Pop3StateTable
{
    private static readonly Pop3Phase[] Authorization = [Pop3Phase.Authorization, Pop3Phase.UserGiven];
    private static readonly Pop3Phase[] Transaction = [Pop3Phase.Transaction];
    private static readonly Pop3Phase[] Both = [Pop3Phase.Authorization, Pop3Phase.UserGiven, Pop3Phase.Transaction];

    // verb → states in which it is accepted. Nothing is accepted in UPDATE: the session is closing.
    private static readonly Dictionary<string, Pop3Phase[]> Allowed = new()
    {
        ["CAPA"] = Both,                                        // RFC 2449 §5: any state
        ["QUIT"] = Both,                                        // RFC 1939 §6 and §7
        ["USER"] = Authorization,
        ["PASS"] = [Pop3Phase.UserGiven],
        ["AUTH"] = Authorization,                               // RFC 5034 §4
        ["STLS"] = Authorization,                               // RFC 2595 §4: AUTHORIZATION only
        ["STAT"] = Transaction,
        ["LIST"] = Transaction,
        ["UIDL"] = Transaction,
        ["RETR"] = Transaction,
        ["TOP"] = Transaction,
        ["DELE"] = Transaction,
        ["RSET"] = Transaction,
        ["NOOP"] = Transaction,                                 // RFC 1939 §5: TRANSACTION state command
    };

    /// <summary>Null when <paramref name="verb"/> may run in <paramref name="phase"/>, else the refusal.</summary>
    public static Pop3Reply? Check(Pop3Phase phase, string verb)
    {
        if (!Allowed.TryGetValue(verb, out var allowed)) return Pop3Reply.UnknownCommand;
        if (allowed.Contains(phase)) return null;
        return phase switch
        {
            Pop3Phase.Authorization when verb == "PASS" => Pop3Reply.UserFirst,
            Pop3Phase.Authorization or Pop3Phase.UserGiven => Pop3Reply.NotLoggedIn,
            Pop3Phase.Transaction => Pop3Reply.AlreadyLoggedIn,
            _ => Pop3Reply.UnknownCommand,
        };
    }

    /// <summary>
    /// The state in which a line is judged: PASS must follow USER immediately, so any other line (even an invalid
    /// one, given as an empty verb) forgets the user name.
    /// </summary>
    public static Pop3Phase BeforeCommand(Pop3Phase phase, string verb) =>
        phase == Pop3Phase.UserGiven && verb is not ("PASS" or "USER") ? Pop3Phase.Authorization : phase;

    /// <summary>The state after a command succeeded.</summary>
    public static Pop3Phase After(Pop3Phase phase, string verb) => (phase, verb) switch
    {
        (Pop3Phase.Authorization or Pop3Phase.UserGiven, "USER") => Pop3Phase.UserGiven,
        (Pop3Phase.UserGiven, "PASS") or (Pop3Phase.Authorization, "AUTH") => Pop3Phase.Transaction,
        (Pop3Phase.Transaction, "QUIT") => Pop3Phase.Update,
        _ => phase,
    };

    /// <summary>Verbs CAPA may advertise or the session may accept, for tests and diagnostics.</summary>
    public static IReadOnlyCollection<string> Verbs => Allowed.Keys;
}
