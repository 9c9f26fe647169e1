using Org.BouncyCastle.Crypto;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>A certificate returned by a public CA, checked and put in order.</summary>
/// <param name="Leaf">The certificate that pairs with the stored private key.</param>
/// <param name="Issuers">The rest of the chain, each certificate issued by the next: intermediates, then the root if
/// the bundle contained it.</param>
public sealed record ImportedChain(BcX509 Leaf, IReadOnlyList<BcX509> Issuers)
{
    /// <summary>Leaf first, then the issuers: what server.cert should hold.</summary>
    public IReadOnlyList<BcX509> All => [Leaf, .. Issuers];

    /// <summary>The chain as one PEM text, leaf first.</summary>
    public string ToPem() => PemCodec.ToPem(All);
}

/// <summary>Checks a certificate bundle from a public CA against the key generated with the CSR.</summary>
public static class CertificateImport
{
    /// <summary>
    /// Finds the leaf that pairs with <paramref name="privateKey"/>, orders the remaining certificates
    /// leaf → intermediates → root by issuer name and key id, and verifies each link's signature.
    /// Duplicates are dropped; a certificate that does not belong to the chain is an error.
    /// </summary>
    /// <exception cref="PkiException">No certificate, no pairing leaf, a broken signature, or stray certificates.</exception>
    public static ImportedChain Check(string pemBundle, AsymmetricKeyParameter privateKey)
    {
        ArgumentNullException.ThrowIfNull(pemBundle);
        KeyMaterial.RequirePrivate(privateKey);
        var certs = new List<BcX509>();
        foreach (var c in PemCodec.ReadCertificates(pemBundle))
        {
            if (!certs.Any(x => Signing.Same(x, c)))
            {
                certs.Add(c);
            }
        }
        if (certs.Count == 0)
        {
            throw new PkiException("The file contains no certificate (expected PEM \"BEGIN CERTIFICATE\" blocks).");
        }
        var leaves = certs.Where(c => KeyMaterial.IsPair(c, privateKey)).ToList();
        if (leaves.Count == 0)
        {
            throw new PkiException("No certificate in the file matches the stored private key: it was issued for another request.");
        }
        if (leaves.Count > 1)
        {
            throw new PkiException("More than one certificate in the file matches the stored private key; import one certificate at a time.");
        }
        var leaf = leaves[0];
        if (leaf.GetBasicConstraints() >= 0)
        {
            throw new PkiException("The certificate for the stored key is a CA certificate, not a server certificate.");
        }
        var remaining = certs.Where(c => !ReferenceEquals(c, leaf)).ToList();
        var chain = new List<BcX509>();
        var current = leaf;
        while (!current.SubjectDN.Equivalent(current.IssuerDN, true) || !Signing.IsSignedBy(current, current))
        {
            var issuer = remaining.FirstOrDefault(c => Signing.NamesIssuer(c, current));
            if (issuer is null)
            {
                break;
            }
            if (!Signing.IsSignedBy(current, issuer))
            {
                throw new PkiException($"The signature of {Signing.Label(current)} does not verify with the key of its issuer {Signing.Label(issuer)}.");
            }
            if (issuer.GetBasicConstraints() < 0)
            {
                throw new PkiException($"{Signing.Label(issuer)} signed {Signing.Label(current)} but is not a CA.");
            }
            chain.Add(issuer);
            remaining.Remove(issuer);
            current = issuer;
        }
        if (remaining.Count > 0)
        {
            throw new PkiException("These certificates are not part of the leaf's chain: "
                + string.Join(", ", remaining.Select(Signing.Label)) + ".");
        }
        return new ImportedChain(leaf, chain);
    }
}
