using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace JdMail.Actors.Outbound;

/// <summary>
/// Builds the client side of an outbound TLS handshake from an <see cref="OutboundTlsPolicy"/>: which roots are
/// trusted (our CA in <c>certs.pem</c>, the system store, a file), whether the host name must match, and the
/// client certificate to present. The reason a certificate was refused is kept so the queue can record it.
/// </summary>
public sealed class OutboundTls
{
    private readonly OutboundTlsPolicy _policy;
    private readonly SslProtocols _protocols;
    private readonly X509Certificate2Collection _roots = [];
    private readonly X509Certificate2Collection? _clientCertificates;

    public OutboundTls(OutboundTlsPolicy policy, string certsPem, SslProtocols protocols)
    {
        _policy = policy;
        _protocols = protocols;
        if (policy.TrustMailRoot && File.Exists(certsPem)) _roots.ImportFromPemFile(certsPem);
        if (policy.TrustFile is { } file) _roots.ImportFromPemFile(file);
        if (policy.ClientCertFile is { } cert && policy.ClientKeyFile is { } key)
            _clientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
    }

    /// <summary>Why the last handshake's certificate check failed, or null.</summary>
    public string? Rejection { get; private set; }

    public SslClientAuthenticationOptions Options(string expectedName) => new()
    {
        TargetHost = expectedName,
        EnabledSslProtocols = _protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ClientCertificates = _clientCertificates,
        AllowRenegotiation = false,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            Rejection = Check(certificate, chain, expectedName);
            return Rejection is null;
        },
    };

    /// <summary>Null when the certificate is acceptable under the policy, else the reason.</summary>
    public string? Check(X509Certificate? certificate, X509Chain? presented, string expectedName)
    {
        if (_policy.Verify == TlsVerify.None) return null;
        if (certificate is null) return "the server sent no certificate";
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var intermediates = new X509Certificate2Collection();
        if (presented is not null)
            foreach (var element in presented.ChainElements.Skip(1)) intermediates.Add(element.Certificate);
        var trusted = false;
        string? chainError = null;
        if (_roots.Count > 0) trusted = Build(leaf, intermediates, custom: true, ref chainError);
        if (!trusted && _policy.TrustSystem) trusted = Build(leaf, intermediates, custom: false, ref chainError);
        if (!trusted) return $"certificate of {expectedName} ({leaf.Subject}) is not trusted: {chainError ?? "no trusted root configured"}";
        if (_policy.Verify == TlsVerify.CaAndHostname && !leaf.MatchesHostname(expectedName, allowWildcards: true, allowCommonName: false))
            return $"certificate name mismatch: {expectedName} is not among the names of {leaf.Subject} ({Names(leaf)})";
        return null;
    }

    private bool Build(X509Certificate2 leaf, X509Certificate2Collection intermediates, bool custom, ref string? error)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        if (custom)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        }
        if (chain.Build(leaf)) return true;
        error = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return false;
    }

    private static string Names(X509Certificate2 cert)
    {
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return "no subjectAltName";
        return string.Join(", ", san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())));
    }
}
