using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>PEM and DER in and out for certificates and CRLs (RFC 7468 labels CERTIFICATE and X509 CRL).</summary>
public static class PemCodec
{
    /// <summary>One certificate as PEM.</summary>
    public static string ToPem(BcX509 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Pem.Encode("CERTIFICATE", certificate.GetEncoded());
    }

    /// <summary>Several certificates concatenated in the order given (leaf first for a server chain).</summary>
    public static string ToPem(IEnumerable<BcX509> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return string.Concat(certificates.Select(ToPem));
    }

    /// <summary>DER bytes of a certificate (the ".cer"/".der" download for Windows and Outlook).</summary>
    public static byte[] ToDer(BcX509 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetEncoded();
    }

    /// <summary>Every certificate in a PEM bundle, in order; other blocks (keys, CRLs) are skipped.</summary>
    /// <exception cref="PkiException">A CERTIFICATE block is damaged.</exception>
    public static IReadOnlyList<BcX509> ReadCertificates(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var result = new List<BcX509>();
        foreach (var block in Pem.Decode(pem))
        {
            if (block.Label is "CERTIFICATE" or "X509 CERTIFICATE")
            {
                result.Add(ParseDer(block.Der, result.Count + 1));
            }
        }
        return result;
    }

    /// <summary>The first certificate in PEM or DER bytes.</summary>
    /// <exception cref="PkiException">No certificate could be read.</exception>
    public static BcX509 ReadCertificateAny(byte[] pemOrDer)
    {
        ArgumentNullException.ThrowIfNull(pemOrDer);
        if (pemOrDer.Length > 0 && pemOrDer[0] == 0x30)
        {
            return ParseDer(pemOrDer, 1);
        }
        return ReadCertificates(Pem.TextOf(pemOrDer)).FirstOrDefault()
            ?? throw new PkiException("No certificate found (expected PEM \"BEGIN CERTIFICATE\" or DER).");
    }

    /// <summary>A CRL as PEM ("X509 CRL").</summary>
    public static string ToPem(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        return Pem.Encode("X509 CRL", crl.GetEncoded());
    }

    /// <summary>DER bytes of a CRL (what a CRL distribution point URL serves, RFC 5280 §4.2.1.13).</summary>
    public static byte[] ToDer(X509Crl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        return crl.GetEncoded();
    }

    /// <summary>The first CRL in PEM or DER bytes.</summary>
    public static X509Crl ReadCrlAny(byte[] pemOrDer)
    {
        ArgumentNullException.ThrowIfNull(pemOrDer);
        var der = pemOrDer.Length > 0 && pemOrDer[0] == 0x30
            ? pemOrDer
            : Pem.Decode(Pem.TextOf(pemOrDer)).FirstOrDefault(b => b.Label == "X509 CRL")?.Der
              ?? throw new PkiException("No CRL found (expected PEM \"BEGIN X509 CRL\" or DER).");
        try
        {
            return new X509CrlParser().ReadCrl(der) ?? throw new PkiException("No CRL found in the data.");
        }
        catch (Exception e) when (e is not PkiException)
        {
            throw new PkiException("The CRL is damaged and cannot be parsed.", e);
        }
    }

    private static BcX509 ParseDer(byte[] der, int position)
    {
        try
        {
            return new X509CertificateParser().ReadCertificate(der)
                ?? throw new PkiException($"Certificate {position} is empty.");
        }
        catch (Exception e) when (e is CertificateException or IOException or ArgumentException or InvalidCastException
                                      or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            throw new PkiException($"Certificate {position} is damaged and cannot be parsed.", e);
        }
    }
}
