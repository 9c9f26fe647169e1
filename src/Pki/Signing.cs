using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509.Extension;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>Signature algorithm choice and the shared bits of certificate/CRL construction.</summary>
internal static class Signing
{
    /// <summary>SHA-256 with RSA (PKCS#1 v1.5) or ECDSA; SHA-384 on P-384 to match the curve strength.</summary>
    public static string AlgorithmFor(AsymmetricKeyParameter signingKey) => signingKey switch
    {
        RsaKeyParameters => "SHA256WITHRSA",
        ECKeyParameters ec when ec.Parameters.Curve.FieldSize > 256 => "SHA384WITHECDSA",
        ECKeyParameters => "SHA256WITHECDSA",
        _ => throw new PkiException($"Unsupported signing key type {signingKey.GetType().Name}; use RSA or EC keys."),
    };

    public static ISignatureFactory Factory(AsymmetricKeyParameter signingKey, SecureRandom random)
    {
        KeyMaterial.RequirePrivate(signingKey);
        return new Asn1SignatureFactory(AlgorithmFor(signingKey), signingKey, random);
    }

    /// <summary>RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.</summary>
    public static SubjectKeyIdentifier SubjectKeyId(AsymmetricKeyParameter publicKey) =>
        X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey);

    /// <summary>
    /// Key identifier of an issuer: its own SKI when present, otherwise computed from its key. Only the keyIdentifier
    /// is put in the AKI (RFC 5280 §4.2.1.1), not issuer name + serial, so a re-issued CA with the same key still chains.
    /// </summary>
    public static byte[] KeyIdOf(BcX509 issuer)
    {
        var ext = issuer.CertificateStructure.TbsCertificate.Extensions?.GetExtension(X509Extensions.SubjectKeyIdentifier);
        return ext is not null
            ? SubjectKeyIdentifier.GetInstance(ext.GetParsedValue()).GetKeyIdentifier()
            : SubjectKeyId(issuer.GetPublicKey()).GetKeyIdentifier();
    }

    /// <summary>UTC, whole seconds: RFC 5280 §4.1.2.5 times have no fractions.</summary>
    public static DateTime Utc(DateTime t)
    {
        var utc = t.Kind switch
        {
            DateTimeKind.Local => t.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
            _ => t,
        };
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    /// <summary>Runs a BouncyCastle Verify call; any failure (bad signature, wrong key type, bad encoding) is false.</summary>
    public static bool Verifies(Action verify)
    {
        try
        {
            verify();
            return true;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key verifies <paramref name="subject"/>'s signature.</summary>
    public static bool IsSignedBy(BcX509 subject, BcX509 issuer) => Verifies(() => subject.Verify(issuer.GetPublicKey()));

    /// <summary>Same certificate: identical encodings.</summary>
    public static bool Same(BcX509 a, BcX509 b) => a.GetEncoded().AsSpan().SequenceEqual(b.GetEncoded());

    /// <summary>Subject of <paramref name="issuer"/> names the issuer of <paramref name="subject"/>, and the key ids agree
    /// when both are present (RFC 5280 §4.2.1.1 helps pick among same-named CAs).</summary>
    public static bool NamesIssuer(BcX509 issuer, BcX509 subject)
    {
        if (!issuer.SubjectDN.Equivalent(subject.IssuerDN, true))
        {
            return false;
        }
        var aki = subject.CertificateStructure.TbsCertificate.Extensions?.GetExtension(X509Extensions.AuthorityKeyIdentifier);
        var akiId = aki is null ? null : AuthorityKeyIdentifier.GetInstance(aki.GetParsedValue()).KeyIdentifier?.GetOctets();
        if (akiId is null)
        {
            return true;
        }
        return akiId.AsSpan().SequenceEqual(KeyIdOf(issuer));
    }

    /// <summary>A short human label for messages: the subject name.</summary>
    public static string Label(BcX509 cert) => $"'{cert.SubjectDN}'";
}
