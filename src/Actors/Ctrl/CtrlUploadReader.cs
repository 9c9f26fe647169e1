using JdMail.Actors.Net;

namespace JdMail.Actors.Ctrl;

/// <summary>
/// Reads a <c>+00101</c> upload (XMail CTRL protocol): lines with a leading dot doubled, ended by a line holding a
/// single dot. The body is kept in memory (bounded by <c>maxBytes</c>) and handed over only when the terminating dot
/// has arrived: a connection that drops before it commits nothing, unlike XMail's <c>MscRecvTextFile</c>, which
/// reports success on a dropped connection. Lines end with LF or CRLF; the body is returned with CRLF line ends.
/// A body over the limit is still read to its end (so the session stays in step) and reported as too large.
/// </summary>
public sealed class CtrlUploadReader : IRawConsumer
{
    private readonly int _maxBytes;
    private readonly MemoryStream _body = new();
    private readonly List<byte> _line = [];
    private bool _tooLarge;

    public CtrlUploadReader(int maxBytes) => _maxBytes = maxBytes;

    /// <summary>True once the terminating dot has been read.</summary>
    public bool Finished { get; private set; }

    /// <summary>The upload passed the size limit; <see cref="Body"/> is then empty.</summary>
    public bool TooLarge => _tooLarge;

    /// <summary>The body, valid once <see cref="Finished"/>.</summary>
    public byte[] Body => Finished && !_tooLarge ? _body.ToArray() : [];

    public (int Consumed, bool Finished) Consume(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (b != '\n')
            {
                // A line longer than the limit cannot fit: stop collecting but keep scanning for the end.
                if (_line.Count <= _maxBytes) _line.Add(b);
                else _tooLarge = true;
                continue;
            }
            if (_line.Count > 0 && _line[^1] == '\r') _line.RemoveAt(_line.Count - 1);
            if (_line.Count == 1 && _line[0] == '.')
            {
                Finished = true;
                return (i + 1, true);
            }
            var start = _line.Count >= 2 && _line[0] == '.' ? 1 : 0;   // dot-stuffing
            if (!_tooLarge)
            {
                if (_body.Length + _line.Count - start + 2 > _maxBytes) { _tooLarge = true; _body.SetLength(0); }
                else
                {
                    _body.Write(_line.ToArray(), start, _line.Count - start);
                    _body.Write("\r\n"u8);
                }
            }
            _line.Clear();
        }
        return (data.Length, false);
    }
}
