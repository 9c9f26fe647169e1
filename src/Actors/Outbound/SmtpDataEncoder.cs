namespace JdMail.Actors.Outbound;

/// <summary>
/// Streaming transformer from stored message bytes to the DATA wire form (RFC 5321 §4.5.2 and §2.3.8): every
/// bare LF, bare CR and CRLF becomes CRLF, a line that starts with "." gets one more ".", and <see cref="Finish"/>
/// ends the last line and appends the ".CRLF" terminator. Because line endings are rewritten before dots are
/// looked at, no stored byte sequence (bare LF "." LF, bare CR "." CR, …) can end the data early at the next hop.
/// Chunk boundaries do not matter: the state carries over between calls. Pure: no I/O.
/// </summary>
public sealed class SmtpDataEncoder
{
    private bool _atLineStart = true;
    private bool _pendingCr;

    /// <summary>Total bytes produced so far (terminator included after <see cref="Finish"/>).</summary>
    public long BytesOut { get; private set; }

    /// <summary>Encodes one chunk into <paramref name="output"/> (cleared first). Output is at most 2× the input plus 2.</summary>
    public void Encode(ReadOnlySpan<byte> input, List<byte> output)
    {
        output.Clear();
        foreach (var b in input)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                // CR LF or bare CR: either way one CRLF goes out; the LF of a CRLF pair is consumed here.
                Emit(output, (byte)'\r');
                Emit(output, (byte)'\n');
                _atLineStart = true;
                if (b == '\n') continue;
            }
            switch (b)
            {
                case (byte)'\r':
                    _pendingCr = true;
                    break;
                case (byte)'\n':
                    // Bare LF.
                    Emit(output, (byte)'\r');
                    Emit(output, (byte)'\n');
                    _atLineStart = true;
                    break;
                default:
                    if (_atLineStart && b == '.') Emit(output, (byte)'.');   // RFC 5321 §4.5.2 transparency
                    Emit(output, b);
                    _atLineStart = false;
                    break;
            }
        }
    }

    /// <summary>Closes the data: ends an unterminated last line (or a pending CR) and appends ".CRLF".</summary>
    public void Finish(List<byte> output)
    {
        output.Clear();
        if (_pendingCr)
        {
            _pendingCr = false;
            Emit(output, (byte)'\r');
            Emit(output, (byte)'\n');
            _atLineStart = true;
        }
        if (!_atLineStart)
        {
            Emit(output, (byte)'\r');
            Emit(output, (byte)'\n');
        }
        Emit(output, (byte)'.');
        Emit(output, (byte)'\r');
        Emit(output, (byte)'\n');
        _atLineStart = true;
    }

    private void Emit(List<byte> output, byte b)
    {
        output.Add(b);
        BytesOut++;
    }

    /// <summary>Convenience for tests and small messages: the whole wire form of <paramref name="message"/>.</summary>
    public static byte[] EncodeAll(ReadOnlySpan<byte> message)
    {
        var enc = new SmtpDataEncoder();
        var all = new List<byte>(message.Length + 16);
        var part = new List<byte>();
        enc.Encode(message, part);
        all.AddRange(part);
        enc.Finish(part);
        all.AddRange(part);
        return all.ToArray();
    }
}
