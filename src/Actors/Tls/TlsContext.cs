using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Tls;

/// <summary>
/// The one TLS context every session uses. Serves <c>server.cert</c> (leaf followed by its chain) with
/// <c>server.key</c>, and re-reads both when either file changes: the next handshake uses a newly installed
/// certificate with no restart, while sessions already in TLS keep the one they negotiated.
/// A broken pair on disk never replaces a working one: the last good certificate stays in use and the error is kept
/// for diagnostics.
/// </summary>
public sealed class TlsContext
{
    private readonly MailRootPaths _paths;
    private readonly TlsSettings _settings;
    private readonly object _gate = new();
    private volatile Loaded? _current;
    private (DateTime, long, DateTime, long) _stamp;

    private sealed record Loaded(SslStreamCertificateContext Context, X509Certificate2 Leaf);

    public TlsContext(MailRootPaths paths, TlsSettings settings)
    {
        _paths = paths;
        _settings = settings;
    }

    /// <summary>Why the files on disk could not be used at the last attempt, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The leaf certificate currently served, or null when none could ever be loaded.</summary>
    public X509Certificate2? Current => Refresh()?.Leaf;

    /// <summary>Options for one server handshake, built from the certificate on disk now.</summary>
    public SslServerAuthenticationOptions ServerOptions()
    {
        var loaded = Refresh() ?? throw new InvalidOperationException(LastError ?? "no server certificate");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = loaded.Context,
            EnabledSslProtocols = _settings.Protocols,
            ClientCertificateRequired = false,
            // RFC 7457 / RFC 9325 §3.5: no renegotiation.
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public TimeSpan HandshakeTimeout => _settings.HandshakeTimeout;

    private Loaded? Refresh()
    {
        var stamp = Stamp();
        if (_current is { } c && stamp == _stamp) return c;
        lock (_gate)
        {
            if (_current is { } c2 && stamp == _stamp) return c2;
            try
            {
                var certPem = File.ReadAllText(_paths.ServerCert);
                var keyPem = File.ReadAllText(_paths.ServerKey);
                var chain = new X509Certificate2Collection();
                chain.ImportFromPem(certPem);
                if (chain.Count == 0) throw new InvalidDataException("server.cert holds no certificate");
                // CreateFromPem pairs the first certificate with the key and throws when they do not match.
                var leaf = X509Certificate2.CreateFromPem(certPem, keyPem);
                var intermediates = new X509Certificate2Collection();
                for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
                var ctx = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
                _current = new Loaded(ctx, leaf);
                LastError = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidDataException or ArgumentException)
            {
                LastError = $"server.cert/server.key unusable: {e.Message}";
            }
            _stamp = stamp;
            return _current;
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        var cert = new FileInfo(_paths.ServerCert);
        var key = new FileInfo(_paths.ServerKey);
        return (cert.Exists ? cert.LastWriteTimeUtc : default, cert.Exists ? cert.Length : -1,
                key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }
}
