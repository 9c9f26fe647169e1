using System.Buffers;

namespace JdMail.Actors.Pop3;

/// <summary>
/// Turns stored message bytes into a POP3 multi-line body (RFC 1939 §3), one chunk at a time so a message of any
/// size streams through a fixed buffer: a line starting with "." gets one more "."; every line ends in CRLF on the
/// wire (a bare LF in the store becomes CRLF, and a "." after it is stuffed too, so no lenient client can be made
/// to see an early terminator); a last line without CRLF is completed; <see cref="Finish"/> adds ".\r\n".
/// With a line limit it stops after the header, the blank line and that many body lines (TOP, RFC 1939 §7).
/// Every other byte, 8-bit ones included, passes through untouched. Pure: no I/O.
/// </summary>
public sealed class DotStuffer
{
    private readonly long? _bodyLines;
    private long _bodyLinesLeft;
    private bool _lineStart = true;
    private bool _previousCr;
    private int _lineLength;        // bytes on the current line so far, terminator excluded
    private bool _inBody;

    /// <param name="bodyLines">Null for the whole message (RETR); else the TOP line count.</param>
    public DotStuffer(long? bodyLines = null)
    {
        _bodyLines = bodyLines;
        _bodyLinesLeft = bodyLines ?? 0;
    }

    /// <summary>True once a TOP limit has been reached: further input is ignored, only <see cref="Finish"/> remains.</summary>
    public bool Done { get; private set; }

    /// <summary>Output space that is always enough for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxOutput(int inputLength) => 2 * inputLength;

    /// <summary>Room <see cref="Finish"/> may need.</summary>
    public const int FinishBytes = 5;

    /// <summary>
    /// Stuffs <paramref name="input"/> into <paramref name="output"/> (at least <see cref="MaxOutput"/> long) and
    /// returns the number of bytes written.
    /// </summary>
    public int Process(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxOutput(input.Length)) throw new ArgumentException("output buffer too small", nameof(output));
        var n = 0;
        foreach (var b in input)
        {
            if (Done) break;
            if (_lineStart)
            {
                _lineStart = false;
                _lineLength = 0;
                if (b == '.') output[n++] = (byte)'.';
            }
            if (b == '\n')
            {
                var empty = _lineLength == 0 || (_lineLength == 1 && _previousCr);
                if (!_previousCr) output[n++] = (byte)'\r';
                output[n++] = (byte)'\n';
                _previousCr = false;
                _lineStart = true;
                EndOfLine(empty);
                continue;
            }
            output[n++] = b;
            _previousCr = b == '\r';
            _lineLength++;
        }
        return n;
    }

    private void EndOfLine(bool empty)
    {
        if (_bodyLines is null) return;
        if (!_inBody)
        {
            // The first empty line ends the header (RFC 5322 §2.1); it is sent, then the body lines are counted.
            if (!empty) return;
            _inBody = true;
        }
        else _bodyLinesLeft--;
        if (_bodyLinesLeft <= 0) Done = true;
    }

    /// <summary>Completes an unterminated last line and writes the ".\r\n" terminator; returns the bytes written.</summary>
    public int Finish(Span<byte> output)
    {
        var n = 0;
        if (!_lineStart)
        {
            if (!_previousCr) output[n++] = (byte)'\r';
            output[n++] = (byte)'\n';
            _lineStart = true;
        }
        output[n++] = (byte)'.';
        output[n++] = (byte)'\r';
        output[n++] = (byte)'\n';
        return n;
    }

    /// <summary>
    /// Copies <paramref name="message"/> to <paramref name="wire"/> stuffed and terminated, reading
    /// <paramref name="chunkSize"/> bytes at a time; stops reading early once a TOP limit is reached.
    /// </summary>
    public static async Task CopyAsync(Stream message, Stream wire, long? bodyLines, int chunkSize = 16 * 1024,
        CancellationToken cancellation = default)
    {
        var stuffer = new DotStuffer(bodyLines);
        var input = ArrayPool<byte>.Shared.Rent(chunkSize);
        var output = ArrayPool<byte>.Shared.Rent(MaxOutput(chunkSize) + FinishBytes);
        try
        {
            while (!stuffer.Done)
            {
                var read = await message.ReadAsync(input.AsMemory(0, chunkSize), cancellation).ConfigureAwait(false);
                if (read == 0) break;
                var written = stuffer.Process(input.AsSpan(0, read), output);
                if (written > 0) await wire.WriteAsync(output.AsMemory(0, written), cancellation).ConfigureAwait(false);
            }
            var tail = stuffer.Finish(output);
            await wire.WriteAsync(output.AsMemory(0, tail), cancellation).ConfigureAwait(false);
            await wire.FlushAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
