using System.Security.Cryptography;
using Org.BouncyCastle.X509;
using BcX509 = Org.BouncyCastle.X509.X509Certificate;

namespace JdMail.Pki;

/// <summary>One file of an OpenSSL hashed directory and what it holds (exactly one of the two is set).</summary>
public sealed record HashedFile(string FileName, BcX509? Certificate, X509Crl? Crl);

/// <summary>
/// File names for an OpenSSL <c>-CApath</c> directory, exactly as <c>openssl rehash</c> assigns them:
/// certificates <c>hhhhhhhh.N</c> and CRLs <c>hhhhhhhh.rN</c>, where hhhhhhhh is the subject (or CRL issuer) name hash
/// and N counts up from 0 per hash in processing order; an object whose SHA-1 fingerprint was already seen
/// under the same hash is skipped, as rehash does for duplicates.
/// </summary>
public static class HashedDirectory
{
    /// <summary>
    /// Names for the given objects. Order matters only among objects with the same hash: give them in the order
    /// openssl rehash would read their source files (sorted by file name), certificates and CRLs separately.
    /// </summary>
    public static IReadOnlyList<HashedFile> Names(IEnumerable<BcX509> certificates, IEnumerable<X509Crl>? crls = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var result = new List<HashedFile>();
        // Certificates and CRLs are separate buckets in rehash (keyed by type and hash).
        var seen = new Dictionary<(bool Crl, uint Hash), List<byte[]>>();
        bool Add(bool isCrl, uint hash, byte[] der, out int index)
        {
            if (!seen.TryGetValue((isCrl, hash), out var digests))
            {
                seen[(isCrl, hash)] = digests = [];
            }
            var fingerprint = SHA1.HashData(der);
            index = digests.Count;
            if (digests.Any(d => d.AsSpan().SequenceEqual(fingerprint)))
            {
                return false;
            }
            digests.Add(fingerprint);
            return true;
        }
        foreach (var cert in certificates)
        {
            var hash = OpenSslHash.SubjectHash(cert);
            if (Add(false, hash, cert.GetEncoded(), out var n))
            {
                result.Add(new HashedFile($"{OpenSslHash.HashHex(hash)}.{n}", cert, null));
            }
        }
        foreach (var crl in crls ?? [])
        {
            var hash = OpenSslHash.IssuerHash(crl);
            if (Add(true, hash, crl.GetEncoded(), out var n))
            {
                result.Add(new HashedFile($"{OpenSslHash.HashHex(hash)}.r{n}", null, crl));
            }
        }
        return result;
    }
}
