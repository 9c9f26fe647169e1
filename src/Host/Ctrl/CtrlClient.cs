using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using JdMail.Actors.Ctrl;

namespace JdMail.Host.Ctrl;

/// <summary>The connection, the TLS handshake or the protocol failed: no trustworthy answer from the server (exit 2).</summary>
public sealed class CtrlConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A CTRL result line and, for <c>+00100</c>, the lines that followed (dot-stuffing removed).</summary>
public sealed record CtrlResult(bool Ok, int Code, string Text, IReadOnlyList<string>? Lines)
{
    public static CtrlResult Parse(string line)
    {
        // "+DDDDD text" / "-DDDDD text" (XMail CTRL protocol).
        if (line.Length < 6 || line[0] is not ('+' or '-') || !int.TryParse(line.AsSpan(1, 5), out var code))
            throw new CtrlConnectionException($"not a CTRL reply: '{Shorten(line)}'");
        return new CtrlResult(line[0] == '+', code, line.Length > 7 ? line[7..] : "", null);
    }

    /// <summary>Each quoted row as its values; a line that is not a quoted row (file content) as one value.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => (Lines ?? [])
        .Select(l => l.StartsWith('"') ? CtrlTokenizer.Tokenize(l).Tokens : (IReadOnlyList<string>)[l]).ToList();

    public override string ToString() => $"{(Ok ? '+' : '-')}{Code:D5} {Text}";

    internal static string Shorten(string s) => s.Length > 80 ? s[..80] + "..." : s;
}

/// <summary>
/// A CTRL client over TLS only: CTRLS (implicit TLS), or CTRL followed by <c>#!TLS</c>. The server certificate must
/// chain to one of <c>trustedRoots</c> (and nothing else: the system store is not used) and carry the host name or
/// address connected to; otherwise the connection is refused before anything is sent.
/// </summary>
public sealed class CtrlClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly TimeSpan _timeout;
    private X509Certificate2? _clientCertificate;
    private Stream _stream = Stream.Null;
    private readonly List<byte> _buffer = [];
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>The server's greeting line.</summary>
    public string Greeting { get; private set; } = "";

    /// <summary>The negotiated TLS protocol, for diagnostics.</summary>
    public SslProtocols TlsProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

    private CtrlClient(TcpClient tcp, TimeSpan timeout)
    {
        _tcp = tcp;
        _timeout = timeout;
    }

    /// <param name="clientCertificate">Presented when the server asks for one (XMail CtrlClnt -C/-K), with its key.</param>
    public static async Task<CtrlClient> ConnectAsync(string host, int port, bool startTls, X509Certificate2Collection trustedRoots,
        TimeSpan timeout, CancellationToken cancel = default, X509Certificate2? clientCertificate = null)
    {
        var tcp = new TcpClient();
        var client = new CtrlClient(tcp, timeout) { _clientCertificate = clientCertificate };
        try
        {
            using (var cts = Deadline(timeout, cancel))
                await tcp.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            client._stream = tcp.GetStream();
            if (startTls)
            {
                client.Greeting = await client.ExpectPositiveAsync(cancel).ConfigureAwait(false);
                await client.WriteLineAsync(CtrlStateTable.TlsLine, cancel).ConfigureAwait(false);
                await client.ExpectPositiveAsync(cancel).ConfigureAwait(false);
                await client.UpgradeAsync(host, trustedRoots, cancel).ConfigureAwait(false);
            }
            else
            {
                await client.UpgradeAsync(host, trustedRoots, cancel).ConfigureAwait(false);
                client.Greeting = await client.ExpectPositiveAsync(cancel).ConfigureAwait(false);
            }
            return client;
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new CtrlConnectionException(e switch
            {
                AuthenticationException => $"TLS with {host}:{port} failed: {e.Message} (the server certificate must chain to the CA file and name '{host}')",
                OperationCanceledException => $"{host}:{port} did not answer in time",
                _ => $"cannot talk to {host}:{port}: {e.Message}",
            }, e);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task UpgradeAsync(string host, X509Certificate2Collection trustedRoots, CancellationToken cancel)
    {
        if (_buffer.Count > 0) throw new CtrlConnectionException("the server sent data before the TLS handshake");
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var policy = new X509ChainPolicy
        {
            // Trust exactly the CA file: the chain must end at one of its certificates.
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(trustedRoots);
        var options = new SslClientAuthenticationOptions
        {
            // Also the name checked against the certificate (DNS name, or IP address SAN).
            TargetHost = host,
            CertificateChainPolicy = policy,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // No RemoteCertificateValidationCallback: any chain or name error fails the handshake.
            ClientCertificateContext = _clientCertificate is null ? null : SslStreamCertificateContext.Create(_clientCertificate, null, offline: true),
        };
        using var cts = Deadline(_timeout, cancel);
        await ssl.AuthenticateAsClientAsync(options, cts.Token).ConfigureAwait(false);
        _stream = ssl;
    }

    /// <summary>Sends the login line; the result is <c>+00000</c> or the refusal.</summary>
    public async Task<CtrlResult> LoginAsync(string user, string password, CancellationToken cancel = default)
    {
        await WriteLineAsync(CtrlTokenizer.Row(user, password), cancel).ConfigureAwait(false);
        return await ReadResultAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one command. <paramref name="upload"/> supplies the data when the server answers <c>+00101</c> (read as
    /// UTF-8 lines, dot-stuffed, ended by a single dot); without it an empty upload is sent.
    /// </summary>
    public async Task<CtrlResult> CommandAsync(IReadOnlyList<string> tokens, Func<TextReader>? upload = null, CancellationToken cancel = default)
    {
        await WriteLineAsync(CtrlTokenizer.Row(tokens), cancel).ConfigureAwait(false);
        var result = await ReadResultAsync(cancel).ConfigureAwait(false);
        if (!result.Ok || result.Code != 101) return result;
        var sb = new StringBuilder();
        if (upload is not null)
        {
            using var reader = upload();
            while (await reader.ReadLineAsync(cancel).ConfigureAwait(false) is { } line)
                sb.Append(CtrlTokenizer.Stuff(line)).Append("\r\n");
        }
        sb.Append(".\r\n");
        await WriteAsync(Utf8.GetBytes(sb.ToString()), cancel).ConfigureAwait(false);
        return await ReadResultAsync(cancel).ConfigureAwait(false);
    }

    private async Task<CtrlResult> ReadResultAsync(CancellationToken cancel)
    {
        var result = CtrlResult.Parse(await ReadLineAsync(cancel).ConfigureAwait(false));
        if (!result.Ok || result.Code != 100) return result;
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancel).ConfigureAwait(false);
            if (line == ".") break;
            lines.Add(CtrlTokenizer.Unstuff(line));
        }
        return result with { Lines = lines };
    }

    private async Task<string> ExpectPositiveAsync(CancellationToken cancel)
    {
        var line = await ReadLineAsync(cancel).ConfigureAwait(false);
        var result = CtrlResult.Parse(line);
        if (!result.Ok) throw new CtrlConnectionException($"the server refused the connection: {result}");
        return line;
    }

    private Task WriteLineAsync(string line, CancellationToken cancel) => WriteAsync(Utf8.GetBytes(line + "\r\n"), cancel);

    private async Task WriteAsync(byte[] data, CancellationToken cancel)
    {
        using var cts = Deadline(_timeout, cancel);
        try { await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            throw new CtrlConnectionException($"connection lost while sending: {e.Message}", e);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancel)
    {
        using var cts = Deadline(_timeout, cancel);
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var lf = _buffer.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var bytes = _buffer.GetRange(0, lf).ToArray();
                _buffer.RemoveRange(0, lf + 1);
                return Utf8.GetString(bytes).TrimEnd('\r');
            }
            int n;
            try { n = await _stream.ReadAsync(chunk, cts.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                throw new CtrlConnectionException(e is OperationCanceledException ? "the server did not answer in time" : $"connection lost: {e.Message}", e);
            }
            if (n == 0) throw new CtrlConnectionException("the server closed the connection");
            _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancel)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        return cts;
    }

    public async ValueTask DisposeAsync()
    {
        try { await _stream.DisposeAsync().ConfigureAwait(false); } catch (IOException) { /* closing anyway */ }
        _tcp.Dispose();
    }
}
