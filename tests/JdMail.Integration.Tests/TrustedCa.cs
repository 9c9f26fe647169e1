using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace JdMail.Integration.Tests;

/// <summary>
/// Real certificate validation against the server's own CA, as a client that installed our CA certificate would do:
/// the chain must build to that root and the name must match. No accept-all anywhere.
/// </summary>
public static class TrustedCa
{
    public static RemoteCertificateValidationCallback Callback(X509Certificate2 root) => (_, certificate, _, errors) =>
    {
        // Name mismatch or no certificate are reported by the platform and are fatal.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    };
}
