using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JdMail.Actors.Tests.Pop3;

/// <summary>
/// A deliberately raw POP3 client for the actor specs: writes exact bytes and reads exact lines, so the tests see
/// what is on the wire. Every read has an upper time bound; none is used to wait for the server.
/// </summary>
internal sealed class Pop3TestClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(15);
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    private Pop3TestClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public static async Task<Pop3TestClient> ConnectAsync(int port, X509Certificate2? implicitTlsTrust = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var client = new Pop3TestClient(tcp, tcp.GetStream());
        if (implicitTlsTrust is not null) await client.HandshakeAsync(implicitTlsTrust);
        return client;
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends a command and returns the one-line reply.</summary>
    public async Task<string?> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadLineAsync();
    }

    /// <summary>The next line without its CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var raw = await ReadRawLineAsync();
        return raw is null ? null : Encoding.Latin1.GetString(raw, 0, raw.Length - 2);
    }

    /// <summary>The next line with its CRLF, or null at end of stream.</summary>
    public async Task<byte[]?> ReadRawLineAsync()
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = _buffer.AsSpan(_start, lf + 1 - _start).ToArray();
                _start = lf + 1;
                Assert.True(line.Length >= 2 && line[^2] == '\r', "server line not terminated by CRLF");
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            Assert.True(_end < _buffer.Length, "server line longer than the test buffer");
            int read;
            using var cts = new CancellationTokenSource(ReadLimit);
            try { read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token); }
            catch (IOException) { read = 0; }            // reset by the server counts as closed
            if (read == 0)
            {
                Assert.True(_end == 0, "connection closed in the middle of a line");
                return null;
            }
            _end += read;
        }
    }

    /// <summary>The body of a multi-line response exactly as sent, terminator included.</summary>
    public async Task<byte[]> ReadMultiLineRawAsync()
    {
        var body = new MemoryStream();
        while (true)
        {
            var line = await ReadRawLineAsync() ?? throw new Xunit.Sdk.XunitException("closed inside a multi-line response");
            body.Write(line);
            if (line is [(byte)'.', (byte)'\r', (byte)'\n']) return body.ToArray();
        }
    }

    /// <summary>The lines of a multi-line response, unstuffed as a client does (RFC 1939 §3).</summary>
    public async Task<List<string>> ReadMultiLineAsync() => Unstuff(await ReadMultiLineRawAsync());

    public static List<string> Unstuff(byte[] raw)
    {
        var lines = Encoding.Latin1.GetString(raw).Split("\r\n").ToList();
        Assert.Equal(["."], lines[^2..^1]);
        return lines[..^2].Select(l => l.StartsWith('.') ? l[1..] : l).ToList();
    }

    /// <summary>True once the server has closed the connection, after any lines still buffered.</summary>
    public async Task<bool> IsClosedAsync() => await ReadLineAsync() is null;

    /// <summary>Upgrades to TLS after a "+OK" to STLS; the server's certificate must chain to <paramref name="trusted"/>.</summary>
    public async Task HandshakeAsync(X509Certificate2 trusted)
    {
        Assert.True(_start == _end, "plaintext bytes buffered before the TLS handshake");
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(trusted);
        using var cts = new CancellationTokenSource(ReadLimit);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            CertificateChainPolicy = policy,
        }, cts.Token);
        _stream = ssl;
    }

    public bool IsTls => _stream is SslStream;

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
