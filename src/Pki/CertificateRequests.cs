using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>A parsed, signature-checked PKCS #10 request (RFC 2986).</summary>
/// <param name="Subject">The requested subject name as encoded.</param>
/// <param name="Fields">The known subject attributes, for pre-filling an approval form.</param>
/// <param name="Names">Requested dNSName and iPAddress SAN entries, normalised as <see cref="Names.Normalize"/> does.</param>
/// <param name="OtherNames">Requested SAN entries of other kinds (e-mail, URI, ...), described as text.</param>
/// <param name="PublicKey">The key the certificate will certify.</param>
/// <param name="RequestsCa">True when the request carries basicConstraints CA:TRUE.</param>
/// <param name="RequestedExtensions">OIDs of every extension in the extensionRequest attribute.</param>
public sealed record CsrInfo(X509Name Subject, SubjectFields Fields, IReadOnlyList<string> Names,
    IReadOnlyList<string> OtherNames, AsymmetricKeyParameter PublicKey, bool RequestsCa,
    IReadOnlyList<string> RequestedExtensions);

/// <summary>
/// What the operator approved for a certificate issued from a request. The CA decides: the subject and names come
/// from here, never from the request, and every name the request asks for must be approved.
/// </summary>
public sealed record CsrApproval(SubjectFields Subject, IReadOnlyList<string> Names);

/// <summary>Certificate signing requests: creation for public-CA mode, parsing, and issuing from them.</summary>
public static class CertificateRequests
{
    /// <summary>
    /// Builds and signs a CSR. The SANs (CN first, then the given names, as for server certificates) go in a
    /// PKCS #9 extensionRequest attribute (RFC 2985 §5.4.2), which is where public CAs look for them.
    /// </summary>
    public static Pkcs10CertificationRequest Create(SubjectFields subject, IReadOnlyList<string> subjectAltNames,
        AsymmetricCipherKeyPair key, SecureRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(key);
        var name = subject.ToX509Name();
        var names = Certificates.ServerNames(subject, subjectAltNames);
        KeyMaterial.SpecOf(key.Public);
        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.SubjectAlternativeName, subject.IsEmpty, Certificates.ToGeneralNames(names));
        var attributes = new DerSet(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtExtensionRequest,
            new DerSet(extensions.Generate())));
        return new Pkcs10CertificationRequest(Signing.Factory(key.Private, random ?? new SecureRandom()), name,
            key.Public, attributes);
    }

    /// <summary>PEM "CERTIFICATE REQUEST", as OpenSSL and public CAs expect.</summary>
    public static string ToPem(Pkcs10CertificationRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        return Pem.Encode("CERTIFICATE REQUEST", csr.GetEncoded());
    }

    /// <summary>Parses a PEM CSR and verifies its self-signature.</summary>
    public static CsrInfo Parse(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var block = Pem.Decode(pem).FirstOrDefault(b => b.Label is "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST")
            ?? throw new PkiException("No certificate request found (expected PEM \"BEGIN CERTIFICATE REQUEST\").");
        return Parse(block.Der);
    }

    /// <summary>Parses a DER (or PEM) CSR and verifies its self-signature (proof of possession, RFC 2986 §3).</summary>
    public static CsrInfo Parse(byte[] pemOrDer)
    {
        ArgumentNullException.ThrowIfNull(pemOrDer);
        if (pemOrDer.Length == 0 || pemOrDer[0] != 0x30)
        {
            return Parse(Pem.TextOf(pemOrDer));
        }
        Pkcs10CertificationRequest csr;
        AsymmetricKeyParameter publicKey;
        bool signatureOk;
        try
        {
            csr = new Pkcs10CertificationRequest(pemOrDer);
            publicKey = csr.GetPublicKey();
            signatureOk = csr.Verify();
        }
        catch (Exception e) when (e is not PkiException)
        {
            throw new PkiException("The certificate request is damaged and cannot be parsed.", e);
        }
        if (!signatureOk)
        {
            throw new PkiException("The certificate request's signature does not verify: it was altered or not signed by its key.");
        }
        KeyMaterial.SpecOf(publicKey);

        var subject = csr.GetCertificationRequestInfo().Subject;
        var names = new List<string>();
        var others = new List<string>();
        var requestedCa = false;
        var requested = new List<string>();
        var extensions = csr.GetRequestedExtensions();
        if (extensions is not null)
        {
            foreach (var oid in extensions.ExtensionOids)
            {
                requested.Add(oid.Id);
            }
            var bc = extensions.GetExtension(X509Extensions.BasicConstraints);
            requestedCa = bc is not null && BasicConstraints.GetInstance(bc.GetParsedValue()).IsCA();
            var san = extensions.GetExtension(X509Extensions.SubjectAlternativeName);
            if (san is not null)
            {
                foreach (var gn in GeneralNames.GetInstance(san.GetParsedValue()).GetNames())
                {
                    switch (gn.TagNo)
                    {
                        case GeneralName.DnsName:
                            names.Add(DerIA5String.GetInstance(gn.Name).GetString().ToLowerInvariant().TrimEnd('.'));
                            break;
                        case GeneralName.IPAddress:
                            names.Add(new IPAddress(Asn1OctetString.GetInstance(gn.Name).GetOctets()).ToString());
                            break;
                        default:
                            others.Add(gn.ToString());
                            break;
                    }
                }
            }
        }
        return new CsrInfo(subject, SubjectFields.FromX509Name(subject), names, others, publicKey, requestedCa, requested);
    }

    /// <summary>
    /// Issues a server certificate for a request under the CA's policy: the subject and SANs are the approved ones,
    /// the key is the request's, and nothing else from the request is copied (its key usages, EKUs or other
    /// extensions are ignored). A request asking for CA:TRUE, or for any name the operator did not approve, is refused.
    /// </summary>
    public static BcX509 IssueServer(BcX509 caCert, AsymmetricKeyParameter caPrivateKey, CsrInfo request,
        CsrApproval approval, int days, DateTime notBeforeUtc, string? crlUrl = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approval);
        if (request.RequestsCa)
        {
            throw new PkiException("The request asks for a CA certificate (basicConstraints CA:TRUE); only server certificates are issued from requests.");
        }
        var approved = Certificates.ServerNames(approval.Subject, approval.Names);
        var notApproved = request.Names.Where(n => !approved.Contains(SafeNormalize(n), StringComparer.Ordinal))
            .Concat(request.OtherNames).ToList();
        if (notApproved.Count > 0)
        {
            throw new PkiException($"The request asks for names that were not approved: {string.Join(", ", notApproved)}.");
        }
        return Certificates.IssueServer(caCert, caPrivateKey, approval.Subject, approved, request.PublicKey, days,
            notBeforeUtc, crlUrl);
    }

    private static string SafeNormalize(string name)
    {
        try
        {
            return Pki.Names.Normalize(name);
        }
        catch (PkiException)
        {
            return name;
        }
    }
}
