using System.Globalization;
using System.Text;

namespace JdMail.Actors.Pop3;

/// <summary>
/// Pure POP3 command-line parser (RFC 1939 §3): a case-insensitive keyword, then arguments separated by single
/// spaces. Validates argument counts and message numbers so the session only sees well-formed commands.
/// </summary>
public static class Pop3Parser
{
    // RFC 1939 §3 caps arguments at 40 characters; user names and SASL responses may reasonably be longer, so
    // those are bounded by the line length instead.
    private const int MaxNumberDigits = 10;

    public static Pop3Command Parse(ReadOnlySpan<byte> line)
    {
        // POP3 commands are printable ASCII (RFC 1939 §3). Control characters and 8-bit bytes are refused, which
        // also keeps NULs and stray CRs out of user names and passwords.
        foreach (var b in line)
            if (b is > 126 or < 32) return new InvalidCommand(Pop3Reply.BadCharacters);
        var text = Encoding.ASCII.GetString(line);
        var space = text.IndexOf(' ');
        var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
        var rest = space < 0 ? null : text[(space + 1)..];
        var args = rest?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

        return verb switch
        {
            "CAPA" => NoArguments(rest, new CapaCommand()),
            "USER" => args.Length == 1 ? new UserCommand(args[0]) : Syntax(),
            // RFC 1939 §7: PASS has one argument, so spaces inside it belong to the password.
            "PASS" => rest is { Length: > 0 } ? new PassCommand(rest) : Syntax(),
            "AUTH" => args.Length switch
            {
                0 => new AuthCommand(null, null),
                1 => new AuthCommand(args[0].ToUpperInvariant(), null),
                2 => new AuthCommand(args[0].ToUpperInvariant(), args[1]),
                _ => Syntax(),
            },
            "STLS" => NoArguments(rest, new StlsCommand()),
            "STAT" => NoArguments(rest, new StatCommand()),
            "LIST" => OptionalNumber(args, n => new ListCommand(n)),
            "UIDL" => OptionalNumber(args, n => new UidlCommand(n)),
            "RETR" => args.Length == 1 && TryNumber(args[0], out var r) ? new RetrCommand(r) : Syntax(),
            "TOP" => args.Length == 2 && TryNumber(args[0], out var t) && TryNumber(args[1], out var lines) ? new TopCommand(t, lines) : Syntax(),
            "DELE" => args.Length == 1 && TryNumber(args[0], out var d) ? new DeleCommand(d) : Syntax(),
            "RSET" => NoArguments(rest, new RsetCommand()),
            "NOOP" => NoArguments(rest, new NoopCommand()),
            "QUIT" => NoArguments(rest, new QuitCommand()),
            // APOP (RFC 1939 §7) needs the clear-text password on the server to compute the MD5 digest. JdMail never
            // stores clear passwords (PBKDF2 only), so APOP is neither offered in the greeting nor accepted.
            "APOP" => new InvalidCommand(Pop3Reply.ApopNotSupported),
            _ => new InvalidCommand(Pop3Reply.UnknownCommand),
        };
    }

    private static InvalidCommand Syntax() => new(Pop3Reply.SyntaxError);

    private static Pop3Command NoArguments(string? rest, Pop3Command command) =>
        string.IsNullOrWhiteSpace(rest) ? command : Syntax();

    private static Pop3Command OptionalNumber(string[] args, Func<long?, Pop3Command> make) => args.Length switch
    {
        0 => make(null),
        1 when TryNumber(args[0], out var n) => make(n),
        _ => Syntax(),
    };

    /// <summary>Decimal digits only: no sign, no spaces, no hex; bounded so it cannot overflow.</summary>
    public static bool TryNumber(string text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= MaxNumberDigits && text.All(char.IsAsciiDigit) &&
               long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
