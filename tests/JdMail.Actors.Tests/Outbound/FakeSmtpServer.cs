using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JdMail.Actors.Tests.Outbound;

/// <summary>
/// A scripted SMTP server for one connection on a loopback port: advertises what it is told, answers RCPT by a
/// rule, and records every command and the raw DATA bytes, so client behaviour can be checked exactly.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;
    public List<string> Commands { get; } = [];
    public byte[]? Data { get; private set; }
    public bool Tls { get; private set; }

    public bool OfferStartTls { get; init; }
    public bool ImplicitTls { get; init; }
    public long? SizeLimit { get; init; }
    public bool EightBitMime { get; init; } = true;
    public Func<string, string>? RcptReply { get; init; }
    public X509Certificate2? Certificate { get; init; }
    public bool AskClientCertificate { get; init; }
    /// <summary>Subject of the client certificate presented in the TLS handshake, if any.</summary>
    public string? ClientCertificateSubject { get; private set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public FakeSmtpServer()
    {
        _listener.Start();
        _run = Task.Run(RunAsync);
    }

    /// <summary>A self-signed ECDSA certificate for <paramref name="name"/>, and its PEM (to trust it as a root).</summary>
    /// <summary>A self-signed certificate and its key as PEM files in <paramref name="dir"/> (for a client certificate).</summary>
    public static (string CertFile, string KeyFile) SelfSignedFiles(string name, string dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(dir, name + ".cert.pem");
        var keyFile = Path.Combine(dir, name + ".key.pem");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    public static (X509Certificate2 Cert, string Pem) SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so the key is usable by the TLS server on every platform.
        var usable = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        return (usable, cert.ExportCertificatePem());
    }

    private async Task RunAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        Stream stream = client.GetStream();
        if (ImplicitTls) stream = await ServerTls(stream);
        var reader = new Lines(stream);
        async Task Say(string s) => await stream.WriteAsync(Encoding.ASCII.GetBytes(s + "\r\n"));
        await Say("220 fake.test ESMTP");
        while (true)
        {
            var line = await reader.ReadLineAsync();
            if (line is null) return;
            lock (Commands) Commands.Add(line);
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    var caps = new List<string> { "fake.test", "PIPELINING" };
                    if (SizeLimit is { } l) caps.Add($"SIZE {l}"); else caps.Add("SIZE");
                    if (EightBitMime) caps.Add("8BITMIME");
                    if (OfferStartTls && !Tls) caps.Add("STARTTLS");
                    for (var i = 0; i < caps.Count; i++) await Say($"250{(i == caps.Count - 1 ? ' ' : '-')}{caps[i]}");
                    break;
                case "STARTTLS":
                    await Say("220 2.0.0 go ahead");
                    stream = await ServerTls(stream);
                    reader = new Lines(stream);
                    break;
                case "MAIL": await Say("250 2.1.0 ok"); break;
                case "RCPT":
                    var address = line[(line.IndexOf('<') + 1)..line.IndexOf('>')];
                    await Say(RcptReply?.Invoke(address) ?? "250 2.1.5 ok");
                    break;
                case "DATA":
                    await Say("354 go");
                    Data = await reader.ReadUntilAsync("\r\n.\r\n");
                    await Say("250 2.0.0 queued");
                    break;
                case "QUIT": await Say("221 bye"); return;
                default: await Say("502 no"); break;
            }
        }
    }

    private async Task<Stream> ServerTls(Stream inner)
    {
        var ssl = new SslStream(inner);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = Certificate,
            ClientCertificateRequired = AskClientCertificate,
            // The test only records what the client presents.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        ClientCertificateSubject = ssl.RemoteCertificate?.Subject;
        Tls = true;
        return ssl;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(10)); } catch { /* the client may have hung up mid-way */ }
    }

    private sealed class Lines(Stream stream)
    {
        private readonly List<byte> _buffer = [];

        public async Task<string?> ReadLineAsync()
        {
            var bytes = await ReadUntilAsync("\r\n");
            return bytes is null ? null : Encoding.UTF8.GetString(bytes, 0, bytes.Length - 2);
        }

        public async Task<byte[]?> ReadUntilAsync(string end)
        {
            var marker = Encoding.ASCII.GetBytes(end);
            var chunk = new byte[4096];
            while (true)
            {
                var at = IndexOf(_buffer, marker);
                if (at >= 0)
                {
                    var result = _buffer.GetRange(0, at + marker.Length).ToArray();
                    _buffer.RemoveRange(0, at + marker.Length);
                    return result;
                }
                int n;
                try { n = await stream.ReadAsync(chunk); } catch (IOException) { return null; }
                if (n == 0) return null;
                _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            }
        }

        private static int IndexOf(List<byte> buffer, byte[] marker)
        {
            for (var i = 0; i + marker.Length <= buffer.Count; i++)
            {
                var ok = true;
                for (var j = 0; j < marker.Length && ok; j++) ok = buffer[i + j] == marker[j];
                if (ok) return i;
            }
            return -1;
        }
    }
}
