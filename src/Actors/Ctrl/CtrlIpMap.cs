using System.Net;
using System.Net.Sockets;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// XMail's <c>ctrl.ipmap.tab</c> (XMail CTRL protocol): lines <c>"ip/mask"TAB"ALLOW|DENY"TAB"precedence"</c>.
/// Among the lines that match the client address the highest precedence wins, and a later line wins a tie (XMail
/// compares with <c>&gt;=</c>). When no line matches, the address is allowed, as in XMail's default table. The mask is a
/// prefix length (<c>10.0.0.0/8</c>, <c>::1/128</c>) or, for IPv4, a dotted mask (<c>10.0.0.0/255.0.0.0</c>); an address
/// without a mask is one host. Lines starting with <c>#</c> and blank lines are ignored; malformed lines are reported
/// and skipped. Pure.
/// </summary>
public sealed class CtrlIpMap
{
    private sealed record Entry(byte[] Network, int PrefixBits, bool Allow, int Precedence);

    private readonly IReadOnlyList<Entry> _entries;

    /// <summary>Lines that could not be read (line number and reason), for the log.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>An empty map: every address is allowed.</summary>
    public static readonly CtrlIpMap AllowAll = new([], []);

    private CtrlIpMap(IReadOnlyList<Entry> entries, IReadOnlyList<string> problems)
    {
        _entries = entries;
        Problems = problems;
    }

    public static CtrlIpMap Parse(string text)
    {
        var entries = new List<Entry>();
        var problems = new List<string>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var tokens = CtrlTokenizer.Tokenize(line);
            if (!tokens.IsValid || tokens.Tokens.Count < 3) { problems.Add($"line {lineNo}: expected \"ip/mask\" \"ALLOW|DENY\" \"precedence\""); continue; }
            var t = tokens.Tokens;
            var allow = t[1].Equals("ALLOW", StringComparison.OrdinalIgnoreCase);
            if (!allow && !t[1].Equals("DENY", StringComparison.OrdinalIgnoreCase)) { problems.Add($"line {lineNo}: '{t[1]}' is not ALLOW or DENY"); continue; }
            if (!int.TryParse(t[2], out var precedence)) { problems.Add($"line {lineNo}: precedence '{t[2]}' is not a number"); continue; }
            if (!TryParseNetwork(t[0], out var network, out var bits)) { problems.Add($"line {lineNo}: '{t[0]}' is not ip/mask"); continue; }
            entries.Add(new Entry(network, bits, allow, precedence));
        }
        return new CtrlIpMap(entries, problems);
    }

    public bool Allows(IPAddress address)
    {
        var bytes = Normalize(address).GetAddressBytes();
        var allowed = true;
        var best = int.MinValue;
        foreach (var e in _entries)
        {
            if (e.Network.Length != bytes.Length || !Matches(e, bytes)) continue;
            if (e.Precedence < best) continue;
            best = e.Precedence;
            allowed = e.Allow;
        }
        return allowed;
    }

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private static bool Matches(Entry e, byte[] address)
    {
        var bits = e.PrefixBits;
        for (var i = 0; i < address.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((address[i] & mask) != (e.Network[i] & mask)) return false;
        }
        return true;
    }

    private static bool TryParseNetwork(string text, out byte[] network, out int bits)
    {
        network = [];
        bits = 0;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address)) return false;
        address = Normalize(address);
        network = address.GetAddressBytes();
        var max = network.Length * 8;
        if (slash < 0) { bits = max; return true; }
        var maskText = text[(slash + 1)..];
        if (int.TryParse(maskText, out bits)) return bits >= 0 && bits <= max;
        // Dotted IPv4 mask: must be contiguous ones.
        if (address.AddressFamily != AddressFamily.InterNetwork || !IPAddress.TryParse(maskText, out var mask)
            || mask.AddressFamily != AddressFamily.InterNetwork) return false;
        var m = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mask.GetAddressBytes());
        bits = System.Numerics.BitOperations.PopCount(m);
        return bits == 0 ? m == 0 : m == uint.MaxValue << (32 - bits);
    }
}
