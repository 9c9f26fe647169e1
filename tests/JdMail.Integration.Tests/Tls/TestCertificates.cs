using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using JdMail.Pki;
using Org.BouncyCastle.Crypto;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Integration.Tests.Tls;

/// <summary>Client certificates for tests, made with the Pki library from a server's own CA or from strangers.</summary>
public sealed record TestIssuer(BcX509 Certificate, AsymmetricKeyParameter Key)
{
    /// <summary>The private CA a server made on first start.</summary>
    public static TestIssuer FromMailRoot(string mailRoot) => new(
        PemCodec.ReadCertificates(File.ReadAllText(Path.Combine(mailRoot, "sslconf", "ca", "cert.pem")))[0],
        KeyMaterial.ReadPrivateKeyPem(File.ReadAllText(Path.Combine(mailRoot, "sslconf", "ca", "key.pem"))));

    public static TestIssuer NewCa(string name)
    {
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        return new TestIssuer(Certificates.CreateCa(new SubjectFields(Organization: "Test", CommonName: name), key, 365, DateTime.UtcNow.AddDays(-1)), key.Private);
    }

    public TestIssuer Intermediate(string name)
    {
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        return new TestIssuer(Certificates.IssueSubordinateCa(Certificate, Key, new SubjectFields(CommonName: name), key.Public, 365, DateTime.UtcNow.AddDays(-1)), key.Private);
    }

    /// <summary>A client certificate for <paramref name="email"/>, with its chain up to (not including) the root.</summary>
    public ClientCert Client(string email, DateTime? notBefore = null, int days = 30, params TestIssuer[] chainAbove)
    {
        var key = KeyMaterial.Generate(KeySpec.Ec256);
        var cert = Certificates.IssueClient(Certificate, Key, new SubjectFields(CommonName: email, Email: email), key.Public, days,
            notBefore ?? DateTime.UtcNow.AddDays(-1));
        return ClientCert.From(cert, key.Private, chainAbove.Select(c => c.Certificate));
    }
}

public sealed record ClientCert(X509Certificate2 WithKey, X509Certificate2Collection Chain, string CertPem, string KeyPem, string Serial)
{
    public static ClientCert From(BcX509 cert, AsymmetricKeyParameter key, IEnumerable<BcX509> chain)
    {
        var certPem = PemCodec.ToPem(cert);
        var keyPem = KeyMaterial.PrivateKeyToPem(key);
        var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);
        var c = new X509Certificate2Collection();
        foreach (var x in chain) c.Add(X509CertificateLoader.LoadCertificate(x.GetEncoded()));
        return new ClientCert(withKey, c, certPem + string.Concat(chain.Select(PemCodec.ToPem)), keyPem, cert.SerialNumber.ToString(16));
    }

    /// <summary>A self-signed leaf with clientAuth, not issued by any CA.</summary>
    public static ClientCert SelfSigned(string email)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={email}", ec, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(email);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new ClientCert(cert, [], cert.ExportCertificatePem(), ec.ExportPkcs8PrivateKeyPem(), cert.SerialNumber);
    }

    public (string CertFile, string KeyFile) WriteTo(string dir)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var certFile = Path.Combine(dir, name + ".crt");
        var keyFile = Path.Combine(dir, name + ".key");
        File.WriteAllText(certFile, CertPem);
        File.WriteAllText(keyFile, KeyPem);
        return (certFile, keyFile);
    }
}
