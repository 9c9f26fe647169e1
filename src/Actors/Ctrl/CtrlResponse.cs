using System.Text;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// The full answer to one command: the result line and, for <c>+00100</c>, the lines that follow (already encoded:
/// quoted rows, or the lines of a file such as a PEM certificate). <see cref="ToWire"/> dot-stuffs every line and
/// ends the list with a single dot.
/// </summary>
public sealed record CtrlResponse(CtrlReply Reply, IReadOnlyList<string>? Lines = null)
{
    public static readonly CtrlResponse Done = new(CtrlReply.Success);

    /// <summary>A <c>+00100</c> list of quoted rows.</summary>
    public static CtrlResponse Rows(IEnumerable<IEnumerable<string>> rows) =>
        new(CtrlReply.ListFollows, rows.Select(r => CtrlTokenizer.Row(r)).ToList());

    /// <summary>A <c>+00100</c> list of raw lines (file content), dot-stuffed on the wire.</summary>
    public static CtrlResponse FileLines(IEnumerable<string> lines) => new(CtrlReply.ListFollows, lines.ToList());

    public static CtrlResponse Fail(CtrlReply reply) => new(reply);

    public string ToWire()
    {
        var sb = new StringBuilder(Reply.ToWire());
        if (Lines is null) return sb.ToString();
        foreach (var line in Lines) sb.Append(CtrlTokenizer.Stuff(line)).Append("\r\n");
        return sb.Append(".\r\n").ToString();
    }
}
