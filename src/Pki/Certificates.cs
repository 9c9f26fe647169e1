using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>
/// Certificates per profile (CA, server, client), following RFC 5280 and what OpenSSL 3 with -x509_strict,
/// browsers and S/MIME clients expect. All times are UTC; validity is notBefore + days, never inverted.
/// </summary>
public static class Certificates
{
    /// <summary>
    /// Self-signed CA: basicConstraints critical CA:TRUE (§4.2.1.9), keyUsage critical keyCertSign|cRLSign|
    /// digitalSignature (§4.2.1.3; digitalSignature lets the CA key sign OCSP responses later), SKI, AKI = own SKI.
    /// </summary>
    public static BcX509 CreateCa(SubjectFields subject, AsymmetricCipherKeyPair caKey, int days, DateTime notBeforeUtc)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(caKey);
        var name = subject.ToX509Name();
        if (subject.IsEmpty)
        {
            // §4.1.2.6: a CA's subject must be non-empty, it is what issuers are matched against.
            throw new PkiException("A CA certificate needs a subject (at least a common name).");
        }
        KeyMaterial.SpecOf(caKey.Public);
        var (notBefore, notAfter) = Validity(notBeforeUtc, days);
        var ski = Signing.SubjectKeyId(caKey.Public);
        return Build(name, name, caKey.Public, caKey.Private, notBefore, notAfter, null, g =>
        {
            g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
            g.AddExtension(X509Extensions.KeyUsage, true,
                new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign | KeyUsage.DigitalSignature));
            g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, ski);
            g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(ski.GetKeyIdentifier()));
        });
    }

    /// <summary>
    /// Subordinate (intermediate) CA signed by <paramref name="caCert"/>: the CA profile plus pathLenConstraint
    /// (default 0: it may issue end-entity certificates only) and an AKI pointing at its issuer.
    /// </summary>
    public static BcX509 IssueSubordinateCa(BcX509 caCert, AsymmetricKeyParameter caPrivateKey, SubjectFields subject,
        AsymmetricKeyParameter subjectPublicKey, int days, DateTime notBeforeUtc, int pathLength = 0, string? crlUrl = null)
    {
        CheckIssuer(caCert, caPrivateKey);
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.IsEmpty)
        {
            throw new PkiException("A CA certificate needs a subject (at least a common name).");
        }
        if (pathLength < 0)
        {
            throw new PkiException("The path length of a subordinate CA cannot be negative.");
        }
        CheckSubjectKey(subjectPublicKey);
        var (notBefore, notAfter) = IssuerBoundValidity(caCert, notBeforeUtc, days);
        var issuerKeyId = Signing.KeyIdOf(caCert);
        return Build(caCert.SubjectDN, subject.ToX509Name(), subjectPublicKey, caPrivateKey, notBefore, notAfter, null, g =>
        {
            g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(pathLength));
            g.AddExtension(X509Extensions.KeyUsage, true,
                new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign | KeyUsage.DigitalSignature));
            g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, Signing.SubjectKeyId(subjectPublicKey));
            g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
            AddCrlDistributionPoint(g, crlUrl);
        });
    }

    /// <summary>
    /// Server certificate signed by the CA: CA:FALSE, keyUsage critical digitalSignature (+keyEncipherment for
    /// RSA key transport), EKU serverAuth, SAN always present (the CN is added when missing), AKI + SKI, and a CRL
    /// distribution point when <paramref name="crlUrl"/> is given. notAfter is cut back to the CA's notAfter.
    /// </summary>
    public static BcX509 IssueServer(BcX509 caCert, AsymmetricKeyParameter caPrivateKey, SubjectFields subject,
        IReadOnlyList<string> subjectAltNames, AsymmetricKeyParameter subjectPublicKey, int days, DateTime notBeforeUtc,
        string? crlUrl = null)
    {
        CheckIssuer(caCert, caPrivateKey);
        var (notBefore, notAfter) = IssuerBoundValidity(caCert, notBeforeUtc, days);
        return Server(caCert.SubjectDN, Signing.KeyIdOf(caCert), caPrivateKey, subject, subjectAltNames, subjectPublicKey,
            notBefore, notAfter, crlUrl);
    }

    /// <summary>Self-signed server certificate (private mode): the server profile with issuer = subject.</summary>
    public static BcX509 CreateSelfSignedServer(SubjectFields subject, IReadOnlyList<string> subjectAltNames,
        AsymmetricCipherKeyPair key, int days, DateTime notBeforeUtc)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(key);
        if (subject.IsEmpty)
        {
            throw new PkiException("A self-signed certificate needs a subject (at least a common name): it is its own issuer.");
        }
        var (notBefore, notAfter) = Validity(notBeforeUtc, days);
        return Server(subject.ToX509Name(), Signing.SubjectKeyId(key.Public).GetKeyIdentifier(), key.Private, subject,
            subjectAltNames, key.Public, notBefore, notAfter, null);
    }

    /// <summary>
    /// Client certificate for TLS client authentication and S/MIME: CA:FALSE; keyUsage critical digitalSignature
    /// plus keyEncipherment (RSA key transport, RFC 8551 §4.4.2) or keyAgreement (ECDH, RFC 5753) so mail clients
    /// can both sign and decrypt; EKU clientAuth + emailProtection; SAN rfc822Name = the e-mail (required).
    /// </summary>
    public static BcX509 IssueClient(BcX509 caCert, AsymmetricKeyParameter caPrivateKey, SubjectFields subject,
        AsymmetricKeyParameter subjectPublicKey, int days, DateTime notBeforeUtc, string? crlUrl = null)
    {
        CheckIssuer(caCert, caPrivateKey);
        ArgumentNullException.ThrowIfNull(subject);
        if (string.IsNullOrWhiteSpace(subject.Email))
        {
            throw new PkiException("A client certificate needs an e-mail address (it goes into subjectAltName).");
        }
        var email = Names.Email(subject.Email);
        var name = subject.ToX509Name();
        var spec = CheckSubjectKey(subjectPublicKey);
        var (notBefore, notAfter) = IssuerBoundValidity(caCert, notBeforeUtc, days);
        var issuerKeyId = Signing.KeyIdOf(caCert);
        return Build(caCert.SubjectDN, name, subjectPublicKey, caPrivateKey, notBefore, notAfter, null, g =>
        {
            g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature
                | (spec.IsRsa ? KeyUsage.KeyEncipherment : KeyUsage.KeyAgreement)));
            g.AddExtension(X509Extensions.ExtendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth, KeyPurposeID.id_kp_emailProtection));
            g.AddExtension(X509Extensions.SubjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.Rfc822Name, email)));
            g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, Signing.SubjectKeyId(subjectPublicKey));
            g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
            AddCrlDistributionPoint(g, crlUrl);
        });
    }

    /// <summary>
    /// A random serial of exactly 127 bits (top bit set, so 126 random bits): positive, non-zero, at most
    /// 16 octets as RFC 5280 §4.1.2.2 requires, and well above the 64 bits of entropy the CA/B rules ask for.
    /// </summary>
    public static BigInteger NewSerial(SecureRandom? random = null)
    {
        var r = new BigInteger(126, random ?? new SecureRandom());
        return r.SetBit(126);
    }

    /// <summary>
    /// The server SAN list: the CN first when it is not already among the names, then the given names,
    /// normalised and de-duplicated. Shared by certificates and CSRs.
    /// </summary>
    public static IReadOnlyList<string> ServerNames(SubjectFields subject, IReadOnlyList<string> subjectAltNames)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(subjectAltNames);
        var result = new List<string>();
        void Add(string n)
        {
            var normalized = Names.Normalize(n);
            if (!result.Contains(normalized, StringComparer.Ordinal))
            {
                result.Add(normalized);
            }
        }
        if (!string.IsNullOrWhiteSpace(subject.CommonName))
        {
            try
            {
                Add(subject.CommonName);
            }
            catch (PkiException e)
            {
                throw new PkiException(
                    $"The common name '{subject.CommonName}' of a server certificate must be a host name or IP address: {e.Message}", e);
            }
        }
        foreach (var n in subjectAltNames)
        {
            Add(n);
        }
        if (result.Count == 0)
        {
            throw new PkiException("A server certificate needs at least one host name or IP address.");
        }
        return result;
    }

    internal static GeneralNames ToGeneralNames(IEnumerable<string> normalizedNames) =>
        new(normalizedNames.Select(Names.ToGeneralName).ToArray());

    private static BcX509 Server(X509Name issuer, byte[] issuerKeyId, AsymmetricKeyParameter signingKey,
        SubjectFields subject, IReadOnlyList<string> subjectAltNames, AsymmetricKeyParameter subjectPublicKey,
        DateTime notBefore, DateTime notAfter, string? crlUrl)
    {
        var name = subject.ToX509Name();
        var names = ServerNames(subject, subjectAltNames);
        var spec = CheckSubjectKey(subjectPublicKey);
        return Build(issuer, name, subjectPublicKey, signingKey, notBefore, notAfter, null, g =>
        {
            g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            g.AddExtension(X509Extensions.KeyUsage, true,
                new KeyUsage(KeyUsage.DigitalSignature | (spec.IsRsa ? KeyUsage.KeyEncipherment : 0)));
            g.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
            // §4.2.1.6: with an empty subject the SAN carries the identity and must be critical.
            g.AddExtension(X509Extensions.SubjectAlternativeName, subject.IsEmpty, ToGeneralNames(names));
            g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, Signing.SubjectKeyId(subjectPublicKey));
            g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
            AddCrlDistributionPoint(g, crlUrl);
        });
    }

    internal static BcX509 Build(X509Name issuer, X509Name subject, AsymmetricKeyParameter subjectPublicKey,
        AsymmetricKeyParameter signingKey, DateTime notBefore, DateTime notAfter, SecureRandom? random,
        Action<X509V3CertificateGenerator> extensions)
    {
        random ??= new SecureRandom();
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(NewSerial(random));
        g.SetIssuerDN(issuer);
        g.SetSubjectDN(subject);
        g.SetNotBefore(notBefore);
        g.SetNotAfter(notAfter);
        g.SetPublicKey(subjectPublicKey);
        extensions(g);
        return g.Generate(Signing.Factory(signingKey, random));
    }

    internal static void AddCrlDistributionPoint(X509V3CertificateGenerator g, string? crlUrl)
    {
        if (crlUrl is null)
        {
            return;
        }
        // §4.2.1.13: a fullName URI; clients fetch http(s) (ldap is legacy but legal).
        if (!Uri.TryCreate(crlUrl, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https" or "ldap") || crlUrl.Any(c => c > 0x7e || c <= 0x20))
        {
            throw new PkiException($"CRL URL '{crlUrl}' must be an absolute ASCII http, https or ldap URL.");
        }
        var point = new DistributionPoint(
            new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, crlUrl))),
            null, null);
        g.AddExtension(X509Extensions.CrlDistributionPoints, false, new CrlDistPoint(new[] { point }));
    }

    internal static (DateTime NotBefore, DateTime NotAfter) Validity(DateTime notBeforeUtc, int days)
    {
        if (days < 1 || days > Defaults.MaxDays)
        {
            throw new PkiException($"Validity must be between 1 and {Defaults.MaxDays} days, not {days}.");
        }
        var notBefore = Signing.Utc(notBeforeUtc);
        return (notBefore, notBefore.AddDays(days));
    }

    /// <summary>Certificates do not outlive their issuer: notAfter is clamped to the CA's notAfter (§6.1.3 would
    /// reject the chain after that anyway), and issuing from an expired CA is refused.</summary>
    private static (DateTime NotBefore, DateTime NotAfter) IssuerBoundValidity(BcX509 caCert, DateTime notBeforeUtc, int days)
    {
        var (notBefore, notAfter) = Validity(notBeforeUtc, days);
        var caNotAfter = Signing.Utc(caCert.NotAfter);
        if (notBefore >= caNotAfter)
        {
            throw new PkiException($"The CA certificate expires {caNotAfter:u}, before the new certificate would start.");
        }
        return (notBefore, notAfter > caNotAfter ? caNotAfter : notAfter);
    }

    internal static void CheckIssuer(BcX509 caCert, AsymmetricKeyParameter caPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(caCert);
        KeyMaterial.RequirePrivate(caPrivateKey);
        if (caCert.GetBasicConstraints() < 0)
        {
            throw new PkiException("The issuing certificate is not a CA (basicConstraints CA:TRUE is missing).");
        }
        var usage = caCert.GetKeyUsage();
        if (usage is not null && !usage[5])
        {
            throw new PkiException("The issuing CA certificate does not allow keyCertSign.");
        }
        if (!KeyMaterial.IsPair(caCert, caPrivateKey))
        {
            throw new PkiException("The CA private key does not belong to the CA certificate.");
        }
    }

    private static KeySpec CheckSubjectKey(AsymmetricKeyParameter subjectPublicKey)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKey);
        if (subjectPublicKey.IsPrivate)
        {
            throw new PkiException("The subject public key is a private key; pass the public half.");
        }
        return KeyMaterial.SpecOf(subjectPublicKey);
    }
}
