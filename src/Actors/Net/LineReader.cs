namespace JdMail.Actors.Net;

/// <summary>Outcome of asking a <see cref="LineReader"/> for the next line.</summary>
public enum LineStatus { NeedMore, Line, TooLong }

/// <summary>
/// Splits a byte stream into CRLF- or LF-terminated lines with a hard length cap, so memory stays bounded whatever
/// the peer sends. Pure: it owns no socket. Bytes not yet consumed stay available through <see cref="TakeRemaining"/>
/// so that a protocol can hand them to another reader (SMTP DATA) or refuse them (after STARTTLS).
/// </summary>
public sealed class LineReader
{
    private readonly int _maxLine;
    private byte[] _pending = [];
    private int _offset;

    /// <param name="maxLine">Longest accepted line, terminator included.</param>
    public LineReader(int maxLine) => _maxLine = maxLine;

    /// <summary>Bytes received but not yet returned as a line.</summary>
    public int Buffered => _pending.Length - _offset;

    /// <summary>Appends newly received bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var rest = _pending.AsSpan(_offset);
        var merged = new byte[rest.Length + data.Length];
        rest.CopyTo(merged);
        data.CopyTo(merged.AsSpan(rest.Length));
        _pending = merged;
        _offset = 0;
    }

    /// <summary>
    /// Returns the next complete line without its terminator. <see cref="LineStatus.TooLong"/> when the cap is passed
    /// before a line end (with or without one buffered); the caller then replies and closes.
    /// </summary>
    public LineStatus TryReadLine(out byte[] line)
    {
        line = [];
        var rest = _pending.AsSpan(_offset);
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
            return rest.Length >= _maxLine ? LineStatus.TooLong : LineStatus.NeedMore;
        if (lf + 1 > _maxLine) return LineStatus.TooLong;
        var end = lf > 0 && rest[lf - 1] == '\r' ? lf - 1 : lf;
        line = rest[..end].ToArray();
        _offset += lf + 1;
        if (_offset == _pending.Length) { _pending = []; _offset = 0; }
        return LineStatus.Line;
    }

    /// <summary>Removes and returns every buffered byte.</summary>
    public byte[] TakeRemaining()
    {
        var rest = _pending.AsSpan(_offset).ToArray();
        _pending = [];
        _offset = 0;
        return rest;
    }
}
