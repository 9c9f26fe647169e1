using System.Text;

namespace JdMail.Actors.Ctrl;

/// <summary>The tokens of one CTRL line, or the error reply when the line cannot be read.</summary>
public sealed record CtrlTokens(IReadOnlyList<string> Tokens, CtrlReply? Error)
{
    public bool IsValid => Error is null;
}

/// <summary>
/// Reads and writes CTRL's line syntax (XMail CTRL protocol, XMail's <c>StrGetTabLineStrings</c>). Pure.
/// <list type="bullet">
/// <item>Tokens are separated by TAB; consecutive TABs collapse, so an empty value is sent as <c>""</c>.</item>
/// <item>A token that starts with <c>"</c> is de-quoted up to the next unescaped <c>"</c>; anything after it is dropped,
/// and a missing closing quote takes the rest of the token (XMail's behaviour). <c>\"</c> is a literal quote.
/// Backslashes elsewhere are literal, except a run of backslashes directly before a quote, which is halved (as in
/// the Windows argv rules), so a value may end with a backslash: <c>"a\\"</c> is <c>a\</c>.
/// XMail clients that never double backslashes are read exactly as XMail reads them.</item>
/// <item>A token that does not start with <c>"</c> is taken literally.</item>
/// <item>Unlike XMail (7-bit only, silent close on any byte above 127), values are UTF-8: notes may be Chinese.
/// Invalid UTF-8 and control characters other than TAB get <c>-00190</c>.</item>
/// </list>
/// </summary>
public static class CtrlTokenizer
{
    /// <summary>XMail's command line limit (CTRLSvr.cpp), terminator excluded.</summary>
    public const int DefaultMaxLine = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CtrlTokens Tokenize(ReadOnlySpan<byte> line, int maxLine = DefaultMaxLine)
    {
        if (line.Length > maxLine) return new CtrlTokens([], CtrlReply.LineTooLong);
        string text;
        try { text = StrictUtf8.GetString(line); }
        catch (DecoderFallbackException) { return new CtrlTokens([], CtrlReply.BadCharacters); }
        return Tokenize(text);
    }

    public static CtrlTokens Tokenize(string text)
    {
        foreach (var c in text)
            if ((c < ' ' && c != '\t') || c == '\x7f') return new CtrlTokens([], CtrlReply.BadCharacters);
        var tokens = new List<string>();
        foreach (var piece in text.Split('\t', StringSplitOptions.RemoveEmptyEntries))
            tokens.Add(piece[0] == '"' ? Unquote(piece) : piece);
        return new CtrlTokens(tokens, null);
    }

    private static string Unquote(string piece)
    {
        var sb = new StringBuilder(piece.Length);
        var i = 1;
        while (i < piece.Length)
        {
            var c = piece[i];
            if (c == '\\')
            {
                var run = 0;
                while (i + run < piece.Length && piece[i + run] == '\\') run++;
                if (i + run < piece.Length && piece[i + run] == '"')
                {
                    // 2n backslashes + quote: n backslashes, then the closing quote; 2n+1: n backslashes and a literal quote.
                    sb.Append('\\', run / 2);
                    i += run;
                    if (run % 2 == 1) { sb.Append('"'); i++; continue; }
                    break;
                }
                sb.Append('\\', run);
                i += run;
                continue;
            }
            if (c == '"') break;
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>
    /// One value quoted for a reply row or a command: <c>"</c> becomes <c>\"</c> and backslashes before a quote or the
    /// closing quote are doubled (XMail sends rows without any escaping, so a quote inside a value broke them).
    /// Control characters, which no value can legally hold, become spaces so a row always stays one line.
    /// </summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        var backslashes = 0;
        foreach (var raw in value)
        {
            var c = raw < ' ' || raw == '\x7f' ? ' ' : raw;
            if (c == '\\') { backslashes++; continue; }
            if (c == '"') sb.Append('\\', backslashes * 2 + 1).Append('"');
            else sb.Append('\\', backslashes).Append(c);
            backslashes = 0;
        }
        sb.Append('\\', backslashes * 2).Append('"');
        return sb.ToString();
    }

    /// <summary>A reply row or command line: each value quoted, TAB between them (no line terminator).</summary>
    public static string Row(params IEnumerable<string> values) => string.Join('\t', values.Select(Quote));

    /// <summary>Dot-stuffing for a line of a +00100 list or a +00101 upload: a leading dot is doubled.</summary>
    public static string Stuff(string line) => line.StartsWith('.') ? "." + line : line;

    /// <summary>Reverses <see cref="Stuff"/> on a line that is not the terminating single dot.</summary>
    public static string Unstuff(string line) => line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line;
}
