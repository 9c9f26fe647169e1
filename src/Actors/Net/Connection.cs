using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JdMail.Actors.Net;

/// <summary>
/// One client connection as a session actor sees it: a socket, the stream on top of it (plain or TLS), and an
/// ordered write queue. Writes never block the caller: each one is chained behind the previous, and the session
/// waits on <see cref="Flushed"/> only when ordering matters (before a TLS upgrade, before closing).
/// All methods are called from the owning actor's thread; only the chained tasks run elsewhere.
/// </summary>
public sealed class Connection : IDisposable
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly byte[] _readBuffer = new byte[16 * 1024];
    private Task _writes = Task.CompletedTask;
    private long _pendingBytes;

    public Connection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Remote = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        Local = socket.LocalEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
    }

    public IPEndPoint Remote { get; }
    public IPEndPoint Local { get; }
    public SslStream? Tls => _stream as SslStream;

    /// <summary>The TLS stream of the last handshake attempt, kept when it failed so its verdict can be logged.</summary>
    public SslStream? TlsAttempt { get; private set; }
    public bool IsTls => _stream is SslStream;

    /// <summary>Bytes queued for writing and not yet handed to the socket; the session stops reading when this grows.</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Completes when every queued write has been written (or faults with the first write error).</summary>
    public Task Flushed => _writes;

    /// <summary>Starts one read. The returned count refers to <see cref="ReadBuffer"/>; 0 means the peer closed.</summary>
    public Task<int> ReadAsync() => _stream.ReadAsync(_readBuffer, 0, _readBuffer.Length);

    public ReadOnlySpan<byte> ReadBuffer(int count) => _readBuffer.AsSpan(0, count);

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    public void Send(byte[] data)
    {
        Interlocked.Add(ref _pendingBytes, data.Length);
        _writes = WriteAfter(_writes, data);
    }

    /// <summary>Queues an arbitrary write (for example a file streamed with dot-stuffing) behind earlier writes.</summary>
    public void Send(Func<Stream, Task> writer) => _writes = RunAfter(_writes, writer);

    private async Task WriteAfter(Task previous, byte[] data)
    {
        await previous.ConfigureAwait(false);
        await _stream.WriteAsync(data).ConfigureAwait(false);
        Interlocked.Add(ref _pendingBytes, -data.Length);
    }

    private async Task RunAfter(Task previous, Func<Stream, Task> writer)
    {
        await previous.ConfigureAwait(false);
        await writer(_stream).ConfigureAwait(false);
    }

    /// <summary>
    /// Wraps the stream in TLS and runs the server handshake. Callers first make sure no read is outstanding and
    /// the write queue is flushed, so no plaintext byte can follow into the TLS stream.
    /// </summary>
    public async Task UpgradeToTlsAsync(ServerOptionsSelectionCallback selectOptions, TimeSpan timeout)
    {
        await _writes.ConfigureAwait(false);
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        TlsAttempt = ssl;
        using var cts = new CancellationTokenSource(timeout);
        await ssl.AuthenticateAsServerAsync(selectOptions, null, cts.Token).ConfigureAwait(false);
        _stream = ssl;
    }

    /// <summary>The verified client certificate, when the TLS layer asked for one and the client sent it.</summary>
    public X509Certificate2? ClientCertificate => Tls?.RemoteCertificate as X509Certificate2;

    /// <summary>Short description of the TLS session for logs and Received: headers (RFC 8314 §4.3 style).</summary>
    public string? TlsDescription => Tls is { } t ? $"{ProtocolName(t.SslProtocol)}:{t.NegotiatedCipherSuite}" : null;

    private static string ProtocolName(System.Security.Authentication.SslProtocols p) => p switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        _ => p.ToString(),
    };

    /// <summary>
    /// Closes after the queued writes have gone out: TLS close_notify, then FIN, then input is read and dropped
    /// for up to <paramref name="linger"/> so the client gets our last reply rather than a reset caused by the
    /// bytes it was still sending (lingering close).
    /// </summary>
    public async Task CloseAsync(TimeSpan linger)
    {
        using var cts = new CancellationTokenSource(linger);
        try
        {
            await _writes.WaitAsync(cts.Token).ConfigureAwait(false);
            if (_stream is SslStream ssl) await ssl.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[8192];
            while (await _socket.ReceiveAsync(sink, SocketFlags.None, cts.Token).ConfigureAwait(false) > 0) { }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Closing anyway.
        }
        Dispose();
    }

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch { /* already closed */ }
        try { _stream.Dispose(); } catch { /* already closed */ }
        _socket.Dispose();
    }
}
