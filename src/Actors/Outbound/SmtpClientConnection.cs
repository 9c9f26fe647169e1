using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace JdMail.Actors.Outbound;

/// <summary>A reply from the remote server: the code and the text of every line (RFC 5321 §4.2).</summary>
public sealed record SmtpClientReply(int Code, IReadOnlyList<string> Lines)
{
    public bool Positive => Code is >= 200 and < 400;
    public bool Transient => Code is >= 400 and < 500;
    public bool Permanent => Code >= 500;

    /// <summary>Enhanced status code (RFC 3463) when the first line carries one, else null.</summary>
    public string? EnhancedStatus
    {
        get
        {
            var first = Lines.Count > 0 ? Lines[0] : "";
            var word = first.Split(' ', 2)[0];
            var parts = word.Split('.');
            return parts.Length == 3 && parts[0] is "2" or "4" or "5" && parts.Skip(1).All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)) ? word : null;
        }
    }

    public override string ToString() => $"{Code} {string.Join(" / ", Lines)}".Trim();
}

/// <summary>The peer broke the protocol, closed, or timed out; the attempt counts as a temporary failure.</summary>
public sealed class SmtpClientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One client connection to a remote SMTP server: socket, then optionally TLS (implicit, or after STARTTLS), with a
/// small read buffer that parses multi-line replies. Plain async code with no actor inside; the outbound queue runs
/// one attempt per task.
/// </summary>
public sealed class SmtpClientConnection : IAsyncDisposable
{
    private const int MaxLine = 4096, MaxReplyLines = 200;
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    private SmtpClientConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public IPEndPoint? Remote => _socket.RemoteEndPoint as IPEndPoint;
    public SslStream? Tls => _stream as SslStream;

    /// <summary>"TLSv1.3:TLS_AES_256_GCM_SHA384" style description, or null in clear.</summary>
    public string? TlsDescription => Tls is { } t ? $"{(t.SslProtocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        var p => p.ToString(),
    })}:{t.NegotiatedCipherSuite}" : null;

    public static async Task<SmtpClientConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new SmtpClientException($"cannot resolve {host}: {e.Message}", e);
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).ConfigureAwait(false);
                return new SmtpClientConnection(socket);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw new SmtpClientException($"cannot connect to {host}:{port}: {(last is OperationCanceledException ? "timed out" : last?.Message ?? "no address")}", last);
    }

    /// <summary>Runs the TLS client handshake on the current stream (implicit TLS, or right after "220" to STARTTLS).</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions options, TimeSpan timeout, CancellationToken ct)
    {
        // RFC 3207 §4.2 / CVE-2011-0411 class, client side: anything the server sent after its 220 arrived in
        // clear and must not be read as if it came inside TLS.
        if (_end > _start) throw new SmtpClientException("server sent data after its reply to STARTTLS");
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) { throw new SmtpClientException("TLS handshake timed out", e); }
        _stream = ssl;
    }

    public async Task<SmtpClientReply> CommandAsync(string line, TimeSpan timeout, CancellationToken ct)
    {
        await WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), timeout, ct).ConfigureAwait(false);
        return await ReadReplyAsync(timeout, ct).ConfigureAwait(false);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            throw new SmtpClientException(e is OperationCanceledException ? "write timed out" : $"connection lost: {e.Message}", e);
        }
    }

    public Task FlushAsync(CancellationToken ct) => _stream.FlushAsync(ct);

    /// <summary>Reads one complete reply, multi-line included ("250-..." lines up to the "250 ..." one).</summary>
    public async Task<SmtpClientReply> ReadReplyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var lines = new List<string>();
        var code = 0;
        while (true)
        {
            var line = await ReadLineAsync(cts.Token).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var c) || c is < 200 or > 599)
                throw new SmtpClientException($"malformed reply line '{Truncate(line)}'");
            if (code != 0 && c != code) throw new SmtpClientException("reply lines disagree on the code");
            code = c;
            var more = line.Length > 3 && line[3] == '-';
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (!more) return new SmtpClientReply(code, lines);
            if (lines.Count > MaxReplyLines) throw new SmtpClientException("reply has too many lines");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var text = Encoding.UTF8.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                return text;
            }
            if (_end - _start >= MaxLine) throw new SmtpClientException("reply line too long");
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            int n;
            try { n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                throw new SmtpClientException(e is OperationCanceledException ? "timed out waiting for the server" : $"connection lost: {e.Message}", e);
            }
            if (n == 0) throw new SmtpClientException("server closed the connection");
            _end += n;
        }
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_stream is SslStream ssl)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await ssl.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception) { /* closing anyway */ }
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already closed */ }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
