using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace JdMail.Integration.Tests;

/// <summary>A bare line client for protocol tests that need exact bytes (pipelining, injection, abuse).</summary>
public sealed class RawSmtp : IDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffer = [];

    private RawSmtp(TcpClient tcp) { _tcp = tcp; _stream = tcp.GetStream(); }

    public static async Task<RawSmtp> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawSmtp(tcp);
    }

    public Stream Stream => _stream;

    /// <summary>Implicit TLS (SMTPS/POP3S), optionally presenting a client certificate.</summary>
    public static async Task<RawSmtp> ConnectTlsAsync(int port, System.Security.Cryptography.X509Certificates.X509Certificate2 ca, Tls.ClientCert? client = null)
    {
        var raw = await ConnectAsync(port);
        var ssl = new SslStream(raw._stream, false);
        var options = new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = TrustedCa.Callback(ca) };
        if (client is not null) options.ClientCertificateContext = SslStreamCertificateContext.Create(client.WithKey, client.Chain, offline: true);
        await ssl.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(10));
        raw._stream = ssl;
        return raw;
    }

    /// <summary>Reads a whole multi-line reply (SMTP "250-" lines, or a POP3 list up to ".") and returns its lines.</summary>
    public async Task<List<string>> ReadReplyLinesAsync(bool pop3List = false)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } l)
        {
            lines.Add(l);
            if (pop3List ? l == "." || l.StartsWith("-ERR") : l.Length < 4 || l[3] != '-') break;
        }
        return lines;
    }

    public async Task StartTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        var ssl = new SslStream(_stream, false, TrustedCa.Callback(ca));
        await ssl.AuthenticateAsClientAsync("localhost").WaitAsync(TimeSpan.FromSeconds(10));
        _stream = ssl;
    }

    public Task SendAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads one line (bounded wait); null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var chunk = new byte[4096];
        while (true)
        {
            var lf = _buffer.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _buffer.RemoveRange(0, lf + 1);
                return line;
            }
            int n;
            try { n = await _stream.ReadAsync(chunk, cts.Token); }
            catch (IOException) { return null; }
            if (n == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads reply lines until the last line of a reply (code followed by a space) and checks its start.</summary>
    public async Task<string> ExpectAsync(string prefix, TimeSpan? timeout = null)
    {
        while (true)
        {
            var line = await ReadLineAsync(timeout) ?? throw new Xunit.Sdk.XunitException($"connection closed while waiting for '{prefix}'");
            if (line.Length >= 4 && line[3] == '-') continue;
            Assert.StartsWith(prefix, line);
            return line;
        }
    }

    /// <summary>True when the server closes the connection within the timeout (reading and dropping anything else).</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await ReadLineAsync(deadline - DateTime.UtcNow) is null) return true;
            }
            catch (OperationCanceledException) { return false; }
        }
        return false;
    }

    public void Dispose() { _stream.Dispose(); _tcp.Dispose(); }
}
