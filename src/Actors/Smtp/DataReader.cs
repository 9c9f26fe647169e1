using System.Buffers;
using JdMail.Actors.Net;

namespace JdMail.Actors.Smtp;

/// <summary>
/// Reads the DATA body (RFC 5321 §4.1.1.4): removes the transparency dot (§4.5.2) and stops at CRLF "." CRLF.
/// Only a CRLF-terminated line counts as a line start, so a bare LF followed by "." can never end the message
/// (the "SMTP smuggling" class of bugs); such bytes are kept as they are. Pure: bytes go to the sink given.
/// </summary>
public sealed class DataReader : IRawConsumer
{
    private enum State { LineStart, Middle, SawCr, LineStartDot, LineStartDotCr }
    private readonly Action<ReadOnlySpan<byte>> _sink;
    private State _state = State.LineStart;

    public DataReader(Action<ReadOnlySpan<byte>> sink) => _sink = sink;

    public (int Consumed, bool Finished) Consume(ReadOnlySpan<byte> data)
    {
        var output = ArrayPool<byte>.Shared.Rent(data.Length + 2);
        var n = 0;
        try
        {
            for (var i = 0; i < data.Length; i++)
            {
                var b = data[i];
                switch (_state)
                {
                    case State.LineStart:
                        if (b == '.') { _state = State.LineStartDot; break; }
                        output[n++] = b;
                        _state = b == '\r' ? State.SawCr : State.Middle;
                        break;
                    case State.Middle:
                        output[n++] = b;
                        if (b == '\r') _state = State.SawCr;
                        break;
                    case State.SawCr:
                        output[n++] = b;
                        _state = b == '\n' ? State.LineStart : b == '\r' ? State.SawCr : State.Middle;
                        break;
                    case State.LineStartDot:
                        // The leading dot is dropped whatever follows it (§4.5.2).
                        if (b == '\r') { _state = State.LineStartDotCr; break; }
                        output[n++] = b;
                        _state = State.Middle;
                        break;
                    case State.LineStartDotCr:
                        if (b == '\n')
                        {
                            _sink(output.AsSpan(0, n));
                            _state = State.LineStart;
                            return (i + 1, true);
                        }
                        // ".\r" then something else: the dot was stuffing, the CR is data.
                        output[n++] = (byte)'\r';
                        output[n++] = b;
                        _state = b == '\r' ? State.SawCr : State.Middle;
                        break;
                }
            }
            if (n > 0) _sink(output.AsSpan(0, n));
            return (data.Length, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
