using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>CRLReason codes (RFC 5280 §5.3.1). Value 7 is unused by the standard.</summary>
public enum RevocationReason
{
    /// <summary>No reason given; the reasonCode entry extension is then omitted, as §5.3.1 recommends.</summary>
    Unspecified = 0,
    /// <summary>The subject's private key is known or suspected to be compromised.</summary>
    KeyCompromise = 1,
    /// <summary>The CA's key is compromised.</summary>
    CaCompromise = 2,
    /// <summary>The subject's name or affiliation changed.</summary>
    AffiliationChanged = 3,
    /// <summary>Replaced by a new certificate.</summary>
    Superseded = 4,
    /// <summary>No longer needed.</summary>
    CessationOfOperation = 5,
    /// <summary>Temporarily on hold.</summary>
    CertificateHold = 6,
    /// <summary>Privilege withdrawn.</summary>
    PrivilegeWithdrawn = 9,
    /// <summary>Attribute authority compromised.</summary>
    AaCompromise = 10,
}

/// <summary>One revoked certificate to list in a CRL.</summary>
public sealed record RevokedEntry(BigInteger Serial, DateTime RevocationDateUtc, RevocationReason Reason = RevocationReason.Unspecified);

/// <summary>Version 2 CRLs (RFC 5280 §5) signed by the private CA.</summary>
public static class Crls
{
    /// <summary>
    /// Builds and signs a CRL: issuer = the CA's subject, thisUpdate/nextUpdate, one entry per revoked serial (with a
    /// reasonCode unless unspecified), and the two extensions §5.2 requires of conforming CAs: AKI (the CA's key id)
    /// and CRLNumber (monotonically increasing, chosen by the caller).
    /// </summary>
    public static X509Crl Create(BcX509 caCert, AsymmetricKeyParameter caPrivateKey, IEnumerable<RevokedEntry> revoked,
        BigInteger crlNumber, DateTime thisUpdateUtc, DateTime nextUpdateUtc, SecureRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(caCert);
        ArgumentNullException.ThrowIfNull(revoked);
        ArgumentNullException.ThrowIfNull(crlNumber);
        KeyMaterial.RequirePrivate(caPrivateKey);
        if (!KeyMaterial.IsPair(caCert, caPrivateKey))
        {
            throw new PkiException("The CA private key does not belong to the CA certificate.");
        }
        var usage = caCert.GetKeyUsage();
        if (usage is not null && !usage[6])
        {
            throw new PkiException("The CA certificate does not allow cRLSign, so it cannot sign a CRL.");
        }
        if (crlNumber.SignValue < 0 || crlNumber.BitLength > 159)
        {
            // §5.2.3: a non-negative integer of at most 20 octets.
            throw new PkiException("The CRL number must be a non-negative integer of at most 20 octets.");
        }
        var thisUpdate = Signing.Utc(thisUpdateUtc);
        var nextUpdate = Signing.Utc(nextUpdateUtc);
        if (nextUpdate <= thisUpdate)
        {
            throw new PkiException("nextUpdate must be later than thisUpdate.");
        }

        var g = new X509V2CrlGenerator();
        g.SetIssuerDN(caCert.SubjectDN);
        g.SetThisUpdate(thisUpdate);
        g.SetNextUpdate(nextUpdate);
        var seen = new HashSet<BigInteger>();
        foreach (var entry in revoked)
        {
            if (!seen.Add(entry.Serial))
            {
                continue;
            }
            var date = Signing.Utc(entry.RevocationDateUtc);
            if (entry.Reason == RevocationReason.Unspecified)
            {
                g.AddCrlEntry(entry.Serial, date, (X509Extensions?)null);
            }
            else
            {
                g.AddCrlEntry(entry.Serial, date, (int)entry.Reason);
            }
        }
        g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(Signing.KeyIdOf(caCert)));
        g.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(crlNumber));
        return g.Generate(Signing.Factory(caPrivateKey, random ?? new SecureRandom()));
    }

    /// <summary>The CRLNumber extension value, or null when absent.</summary>
    public static BigInteger? Number(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        var list = CertificateList.GetInstance(Asn1Object.FromByteArray(crl.GetEncoded()));
        var ext = list.TbsCertList.Extensions?.GetExtension(X509Extensions.CrlNumber);
        return ext is null ? null : DerInteger.GetInstance(ext.GetParsedValue()).Value;
    }

    /// <summary>True when the CRL was issued under the CA's name and its signature verifies with the CA's key.</summary>
    public static bool IsSignedBy(X509Crl crl, BcX509 caCert)
    {
        ArgumentNullException.ThrowIfNull(crl);
        ArgumentNullException.ThrowIfNull(caCert);
        if (!crl.IssuerDN.Equivalent(caCert.SubjectDN, true))
        {
            return false;
        }
        return Signing.Verifies(() => crl.Verify(caCert.GetPublicKey()));
    }

    /// <summary>The serials listed as revoked, in CRL order.</summary>
    public static IReadOnlyList<BigInteger> RevokedSerials(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        return crl.GetRevokedCertificates()?.Select(e => e.SerialNumber).ToList() ?? [];
    }
}
