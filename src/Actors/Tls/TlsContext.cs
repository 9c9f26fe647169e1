using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Tls;

/// <summary>
/// The one TLS context every session uses. Serves <c>server.cert</c> (leaf followed by its chain) with
/// <c>server.key</c>, or a per-name certificate when the client's SNI asks for one, and re-reads the files when they
/// change: the next handshake uses a newly installed certificate with no restart, while sessions already in TLS
/// keep the one they negotiated. A broken pair on disk never replaces a working one: the last good certificate
/// stays in use and the error is kept for diagnostics. Client certificates are requested and checked per
/// <see cref="ClientCertificateSettings"/>; the verdict of each handshake is kept for the session to read.
/// </summary>
public sealed class TlsContext
{
    private readonly TlsSettings _settings;
    private readonly CertificateSlot _default;
    private readonly Dictionary<string, CertificateSlot> _byName;
    private readonly TrustMaterial _trust;
    private readonly ConditionalWeakTable<SslStream, ClientCertificateVerdict> _verdicts = new();

    public TlsContext(MailRootPaths paths, TlsSettings settings)
    {
        _settings = settings;
        _default = new CertificateSlot(paths.ServerCert, paths.ServerKey);
        _byName = (settings.Sni ?? []).ToDictionary(s => s.Name, s => new CertificateSlot(
            Path.IsPathRooted(s.CertFile) ? s.CertFile : Path.Combine(paths.Root, s.CertFile),
            Path.IsPathRooted(s.KeyFile) ? s.KeyFile : Path.Combine(paths.Root, s.KeyFile)), StringComparer.OrdinalIgnoreCase);
        _trust = new TrustMaterial(paths);
    }

    /// <summary>Why the default certificate files could not be used at the last attempt, or null.</summary>
    public string? LastError => _default.LastError;

    /// <summary>The default leaf certificate currently served, or null when none could ever be loaded.</summary>
    public X509Certificate2? Current => _default.Refresh()?.Leaf;

    public TimeSpan HandshakeTimeout => _settings.HandshakeTimeout;

    public ClientCertificateSettings ClientCertificates => _settings.ClientCerts;

    /// <summary>Trust anchors and CRL problems as the client-certificate check sees them now.</summary>
    public TrustMaterial.Snapshot Trust => _trust.Current(_settings.ClientCerts);

    /// <summary>Options for one server handshake with a client that asked for <paramref name="serverName"/> (SNI).</summary>
    public SslServerAuthenticationOptions ServerOptions(string? serverName = null)
    {
        var slot = serverName is not null && _byName.TryGetValue(serverName, out var named) && named.Refresh() is not null ? named : _default;
        var loaded = slot.Refresh() ?? throw new InvalidOperationException(slot.LastError ?? "no server certificate");
        var policy = _settings.ClientCerts;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = loaded.Context,
            EnabledSslProtocols = _settings.Protocols,
            // No CertificateRequest unless client certificates are configured (clients are never prompted by default).
            ClientCertificateRequired = policy.Request,
            RemoteCertificateValidationCallback = policy.Request ? ValidateClient : null,
            // RFC 7457 / RFC 9325 §3.5: no renegotiation.
            AllowRenegotiation = false,
            CipherSuitesPolicy = Ciphers,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>
    /// RFC 9325 §4.2: forward-secret AEAD suites only. TLS 1.2 without the CBC suites leaves nothing for
    /// LUCKY13-style padding oracles; TLS 1.3 suites are all AEAD.
    /// </summary>
    private static readonly CipherSuitesPolicy? Ciphers = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ]);

    /// <summary>For <see cref="SslStream.AuthenticateAsServerAsync(ServerOptionsSelectionCallback, object?, CancellationToken)"/>.</summary>
    public ValueTask<SslServerAuthenticationOptions> SelectOptions(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancel) =>
        ValueTask.FromResult(ServerOptions(string.IsNullOrEmpty(hello.ServerName) ? null : hello.ServerName));

    /// <summary>The client-certificate verdict of the handshake on <paramref name="stream"/>, when one was made.</summary>
    public ClientCertificateVerdict? VerdictFor(SslStream stream) => _verdicts.TryGetValue(stream, out var v) ? v : null;

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var leaf = certificate is null ? null : certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var verdict = ClientCertificateVerifier.Verify(leaf, chain, _settings.ClientCerts, Trust, DateTime.UtcNow);
        if (sender is SslStream s) _verdicts.AddOrUpdate(s, verdict);
        return verdict.Accepted;
    }

    /// <summary>One certificate + key file pair, reloaded when either file changes.</summary>
    private sealed class CertificateSlot(string certFile, string keyFile)
    {
        private readonly object _gate = new();
        private volatile Loaded? _current;
        private (DateTime, long, DateTime, long) _stamp;

        public sealed record Loaded(SslStreamCertificateContext Context, X509Certificate2 Leaf);

        public string? LastError { get; private set; }

        public Loaded? Refresh()
        {
            var stamp = Stamp();
            if (_current is { } c && stamp == _stamp) return c;
            lock (_gate)
            {
                if (_current is { } c2 && stamp == _stamp) return c2;
                try
                {
                    var certPem = File.ReadAllText(certFile);
                    var keyPem = File.ReadAllText(keyFile);
                    var chain = new X509Certificate2Collection();
                    chain.ImportFromPem(certPem);
                    if (chain.Count == 0) throw new InvalidDataException($"{Path.GetFileName(certFile)} holds no certificate");
                    // CreateFromPem pairs the first certificate with the key and throws when they do not match.
                    var leaf = X509Certificate2.CreateFromPem(certPem, keyPem);
                    var intermediates = new X509Certificate2Collection();
                    for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
                    _current = new Loaded(SslStreamCertificateContext.Create(leaf, intermediates, offline: true), leaf);
                    LastError = null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidDataException or ArgumentException)
                {
                    LastError = $"{Path.GetFileName(certFile)}/{Path.GetFileName(keyFile)} unusable: {e.Message}";
                }
                _stamp = stamp;
                return _current;
            }
        }

        private (DateTime, long, DateTime, long) Stamp()
        {
            var cert = new FileInfo(certFile);
            var key = new FileInfo(keyFile);
            return (cert.Exists ? cert.LastWriteTimeUtc : default, cert.Exists ? cert.Length : -1,
                    key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
        }
    }
}
